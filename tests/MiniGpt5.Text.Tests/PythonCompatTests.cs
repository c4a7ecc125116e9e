using System.Text.Json;
using MiniGpt5.Text.PythonCompat;

namespace MiniGpt5.Text.Tests;

/// <summary>Our Python-compatible string operations against Python 3.11 itself (python_unicode_facts.json). Exact.</summary>
public sealed class PythonCompatTests
{
    private static readonly PythonFacts Facts = TextTestData.Golden<PythonFacts>("python_unicode_facts.json");

    [Fact]
    public void Isspace_matches_python_for_every_code_point()
    {
        var python = Facts.Isspace.ToHashSet();
        for (var cp = 0; cp < 0x10000; cp++)
        {
            Assert.True(python.Contains(cp) == PythonWhitespace.IsSpace((char)cp), $"U+{cp:X4}");
        }

        Assert.All(python, cp => Assert.True(cp < 0x10000));
    }

    [Fact]
    public void Lower_matches_python()
    {
        foreach (var pair in Facts.Lower)
        {
            var cp = pair[0].GetInt32();
            Assert.Equal(pair[1].GetString(), PythonText.ToLower(char.ConvertFromUtf32(cp)));
        }

        Assert.Equal("i\u0307stanbul", PythonText.ToLower("\u0130stanbul"));
        Assert.Equal("ας σας οδος.", PythonText.ToLower("ΑΣ ΣΑΣ ΟΔΟΣ."));
        Assert.Equal("σ", PythonText.ToLower("Σ"));
    }

    [Fact]
    public void Nfc_matches_python()
    {
        foreach (var pair in Facts.Nfc)
        {
            Assert.Equal(pair[1], PythonText.NormalizeNfc(pair[0]));
        }
    }

    [Fact]
    public void Html_unescape_matches_python()
    {
        foreach (var pair in Facts.Unescape)
        {
            Assert.Equal(pair[1], PythonText.HtmlUnescape(pair[0]));
        }
    }
}
