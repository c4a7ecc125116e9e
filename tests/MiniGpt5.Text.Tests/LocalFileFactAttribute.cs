namespace MiniGpt5.Text.Tests;

/// <summary>
/// A test that needs a third-party file we may not commit (the real LLaMA tokenizer.model, CLIP's
/// bpe_simple_vocab_16e6.txt.gz). It runs when the named environment variable points to the file and is
/// skipped, saying so, otherwise.
/// </summary>
public sealed class LocalFileFactAttribute : FactAttribute
{
    public LocalFileFactAttribute(string environmentVariable)
    {
        var path = Environment.GetEnvironmentVariable(environmentVariable);
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            Skip = $"Set {environmentVariable} to the file's path to run this test (it is third-party data and is not committed).";
        }
    }

    public static string PathOf(string environmentVariable) =>
        Environment.GetEnvironmentVariable(environmentVariable)
        ?? throw new InvalidOperationException($"{environmentVariable} is not set.");
}
