using System.Text.Json;
using MiniGpt5.Cli;
using MiniGpt5.Testing;
using MiniGpt5.Text.Clip;
using MiniGpt5.Text.Llama;

namespace MiniGpt5.Cli.Tests.Commands.Tokenize;

/// <summary>`minigpt5 tokenize` through Program.Main: the JSON ids on stdout and the exit codes.</summary>
public sealed class TokenizeCommandTests
{
    private static readonly string TextData = Path.Combine(RepoPaths.RepoRoot, "tests", "data", "text");

    [Fact]
    public async Task Prints_minigpt5_ids_as_a_json_array()
    {
        var json = Path.Combine(TextData, "llama-tokenizer.json");
        var (code, ids) = await RunAsync(["tokenize", "--tokenizer", json, "--text", "[IMG7] ###", "--minigpt5", "--bos"]);
        Assert.Equal(0, code);
        Assert.Equal(LlamaTokenizer.LoadMiniGpt5(json).Encode("[IMG7] ###", addBos: true), ids);
        Assert.Equal([1, 32007], ids![..2]);
    }

    [Fact]
    public async Task Clip_folder_gives_the_77_id_model_input()
    {
        var folder = Path.Combine(TextData, "clip-sd2");
        var (code, ids) = await RunAsync(["tokenize", "--tokenizer", folder, "--text", "a photo of a cat!", "--clip"]);
        Assert.Equal(0, code);
        Assert.Equal(ClipTokenizer.Load(folder).EncodeForModel("a photo of a cat!").InputIds, ids);
    }

    [Fact]
    public async Task Flags_that_do_not_fit_the_tokenizer_and_unknown_files_exit_with_2()
    {
        Assert.Equal(2, (await RunAsync(["tokenize", "--tokenizer", Path.Combine(TextData, "clip-sd2"), "--text", "x", "--minigpt5"])).Code);
        Assert.Equal(2, (await RunAsync(["tokenize", "--tokenizer", Path.Combine(TextData, "llama-tokenizer.json"), "--text", "x", "--clip"])).Code);
        Assert.Equal(2, (await RunAsync(["tokenize", "--tokenizer", Path.Combine(TextData, "llama-tokenizer_config.json"), "--text", "x"])).Code);
        Assert.Equal(2, (await RunAsync(["tokenize", "--tokenizer", Path.Combine(TextData, "missing.model"), "--text", "x"])).Code);
    }

    private static readonly SemaphoreSlim ConsoleLock = new(1, 1);

    private static async Task<(int Code, int[]? Ids)> RunAsync(string[] args)
    {
        await ConsoleLock.WaitAsync();
        var original = Console.Out;
        var captured = new StringWriter();
        try
        {
            Console.SetOut(captured);
            var code = await Program.Main(args);
            // Other tests may write to the console meanwhile: take the line that is our JSON array.
            var line = captured.ToString().Split('\n').LastOrDefault(l => l.StartsWith('['));
            return (code, line is null ? null : JsonSerializer.Deserialize<int[]>(line));
        }
        finally
        {
            Console.SetOut(original);
            ConsoleLock.Release();
        }
    }
}
