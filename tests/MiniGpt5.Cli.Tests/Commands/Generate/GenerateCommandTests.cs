using System.Diagnostics;
using System.Text.Json.Nodes;
using MiniGpt5.Imaging;
using MiniGpt5.Models.Llama;
using MiniGpt5.Models.Llama.Generation;
using MiniGpt5.Testing;
using MiniGpt5.Text.Llama;

namespace MiniGpt5.Cli.Tests.Commands.Generate;

/// <summary>
/// `minigpt5 generate` as a user runs it (a child process, so stdout, stderr and the exit code are the real ones and
/// no other test's console capture interferes), on the tiny random models of tools/reference/minigpt5_goldens.py:
/// greedy ids must equal the PyTorch reference's exactly (argmax of logits that agree to 1e-4).
/// </summary>
public sealed class GenerateCommandTests
{
    private static string Golden(params string[] parts) => RepoPaths.GoldenFile(["minigpt5", .. parts]);

    private static JsonObject Meta(params string[] parts) => JsonNode.Parse(File.ReadAllText(Golden(parts)))!.AsObject();

    private static int[] Ints(JsonNode? node) => node!.AsArray().Select(n => n!.GetValue<int>()).ToArray();

    [Fact]
    public async Task Greedy_ids_from_a_plain_llama_folder_equal_the_reference_ids()
    {
        var meta = Meta("llama", "expected.json");
        var (code, stdout, stderr) = await RunAsync(
            "generate", "--model", Golden("llama", "gqa"), "--ids", meta["prompt"]!.ToJsonString(), "--max-new-tokens", "20", "--temperature", "0", "--json");

        Assert.True(code == 0, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal(Ints(meta["greedy"]), Ints(json["tokens"]));
        Assert.Null(json["text"]?.GetValue<string>());           // this folder has no tokenizer
        Assert.Equal(["tokens", "text"], json.Select(p => p.Key));
    }

    [Fact]
    public async Task A_prompt_is_encoded_with_bos_and_the_text_is_the_decoded_response()
    {
        var folder = Golden("turn", "model", "vicuna");
        const string Prompt = "a red cube on a table.";
        var (code, stdout, stderr) = await RunAsync("generate", "--model", folder, "--prompt", Prompt, "--max-new-tokens", "12", "--temperature", "0", "--json");

        Assert.True(code == 0, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        var tokenizer = LlamaTokenizer.Load(folder);
        using var model = LlamaForCausalLM.Load(folder);
        var expected = LlamaTextGenerator.Generate(
            model, tokenizer.Encode(Prompt, addBos: true), SamplingOptions.Greedy, new StopCriteria { MaxNewTokens = 12, EndOfSequenceIds = [2] }, seed: 0);
        Assert.Equal(expected.Tokens, Ints(json["tokens"]));
        var known = expected.Tokens.Where(id => id < tokenizer.Processor.VocabularySize).ToArray();
        Assert.Equal(tokenizer.Decode(known, skipSpecialTokens: true), json["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_json_the_text_goes_to_stdout_and_the_timings_to_stderr()
    {
        var (code, stdout, stderr) = await RunAsync("generate", "--model", Golden("turn", "model", "vicuna"), "--prompt", "the cube", "--max-new-tokens", "5", "--seed", "7");
        Assert.True(code == 0, stderr);
        Assert.False(string.IsNullOrWhiteSpace(stdout));
        Assert.DoesNotContain("tok/s", stdout, StringComparison.Ordinal);
        Assert.Contains("tok/s", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_minigpt5_folder_writes_the_reference_response_and_its_image()
    {
        var meta = Meta("turn", "expected.json");
        var output = Path.Combine(Path.GetTempPath(), $"minigpt5-generate-test-{Guid.NewGuid():N}");
        try
        {
            var args = new List<string> { "generate", "--model", Golden("turn", "model"), "--prompt", meta["prompt"]!.GetValue<string>() };
            foreach (var image in meta["images"]!.AsArray())
            {
                args.AddRange(["--image", Golden("turn", image!.GetValue<string>())]);
            }

            args.AddRange(["--seed", meta["seed"]!.ToJsonString(), "--max-new-tokens", meta["max_new_tokens"]!.ToJsonString(), "--steps", "2", "--out", output, "--json"]);
            var (code, stdout, stderr) = await RunAsync([.. args]);

            Assert.True(code == 0, stderr);
            var json = JsonNode.Parse(stdout)!.AsObject();
            Assert.Equal(Ints(meta["sequence"]).Skip(1), Ints(json["tokens"]));
            Assert.DoesNotContain("###", json["text"]!.GetValue<string>(), StringComparison.Ordinal);
            var imagePath = json["image"]!.GetValue<string>();
            Assert.Equal(Path.Combine(output, "image.png"), imagePath);
            var written = await ImageCodec.LoadAsync(imagePath);
            Assert.Equal((32, 32), (written.Width, written.Height));

            // A second run must not overwrite the image unless told to.
            var (again, _, againError) = await RunAsync([.. args]);
            Assert.Equal(2, again);
            Assert.Contains("--force", againError, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_plain_user_prompt_with_an_image_is_wrapped_in_the_playground_turn()
    {
        var output = Path.Combine(Path.GetTempPath(), $"minigpt5-generate-test-{Guid.NewGuid():N}");
        try
        {
            // No <ImageHere> in the text: the image's slot goes first, and the system prompt and ###Human:/###Assistant: around it.
            var (code, stdout, stderr) = await RunAsync(
                "generate", "--model", Golden("turn", "model"), "--prompt", "Tell me the next scene with image.", "--image", Golden("turn", "input0.png"),
                "--max-new-tokens", "6", "--steps", "1", "--out", output, "--json");

            Assert.True(code == 0, stderr);
            var json = JsonNode.Parse(stdout)!.AsObject();
            Assert.InRange(Ints(json["tokens"]).Length, 1, 6);
            Assert.Equal(json["image"] is not null, File.Exists(Path.Combine(output, "image.png")));
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("no-such-folder", "does not exist")]
    [InlineData("empty-folder", "neither minigpt5.json")]
    [InlineData("both-prompt-and-ids", "exactly one of --prompt and --ids")]
    [InlineData("ids-out-of-vocab", "below the vocabulary size 320")]
    [InlineData("ids-not-json", "JSON array")]
    [InlineData("prompt-without-tokenizer", "no tokenizer.model")]
    [InlineData("image-on-llama", "--image and --out need a MiniGPT-5 folder")]
    [InlineData("minigpt5-without-out", "pass --out DIR")]
    [InlineData("minigpt5-with-ids", "--ids works with plain LLaMA folders")]
    [InlineData("unreadable-image", "cannot read --image")]
    [InlineData("too-many-slots", "more <ImageHere> slots")]
    [InlineData("bad-config", "cannot use the model")]
    [InlineData("negative-temperature", "--temperature")]
    public async Task Bad_arguments_and_folders_exit_with_2_and_say_what_is_wrong(string @case, string message)
    {
        var scratch = Directory.CreateTempSubdirectory("minigpt5-generate-bad-").FullName;
        try
        {
            var gqa = Golden("llama", "gqa");
            var minigpt5 = Golden("turn", "model");
            var notAnImage = Path.Combine(scratch, "not-an-image.png");
            await File.WriteAllTextAsync(notAnImage, "plain text");
            var badConfig = Directory.CreateDirectory(Path.Combine(scratch, "bad-config")).FullName;
            await File.WriteAllTextAsync(Path.Combine(badConfig, "config.json"), """{"model_type": "llama", "hidden_size": 64}""");
            string[] args = @case switch
            {
                "no-such-folder" => ["--model", Path.Combine(scratch, "missing"), "--prompt", "x"],
                "empty-folder" => ["--model", scratch, "--prompt", "x"],
                "both-prompt-and-ids" => ["--model", gqa, "--prompt", "x", "--ids", "[1]"],
                "ids-out-of-vocab" => ["--model", gqa, "--ids", "[1, 320]"],
                "ids-not-json" => ["--model", gqa, "--ids", "1 2 3"],
                "prompt-without-tokenizer" => ["--model", gqa, "--prompt", "hello"],
                "image-on-llama" => ["--model", gqa, "--ids", "[1]", "--image", Golden("turn", "input0.png")],
                "minigpt5-without-out" => ["--model", minigpt5, "--prompt", "x"],
                "minigpt5-with-ids" => ["--model", minigpt5, "--ids", "[1]", "--out", scratch],
                "unreadable-image" => ["--model", minigpt5, "--prompt", "x", "--image", notAnImage, "--out", scratch],
                "too-many-slots" => ["--model", minigpt5, "--prompt", "<Img><ImageHere></Img> and <Img><ImageHere></Img>", "--image", Golden("turn", "input0.png"), "--out", scratch],
                "bad-config" => ["--model", badConfig, "--ids", "[1]"],
                "negative-temperature" => ["--model", gqa, "--ids", "[1]", "--temperature", "-1"],
                _ => throw new ArgumentOutOfRangeException(nameof(@case)),
            };

            var (code, _, stderr) = await RunAsync(["generate", .. args]);
            Assert.Equal(2, code);
            Assert.Contains(message, stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(scratch, "image.png")));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Runs minigpt5.dll (copied beside the tests by the project reference) with stdout redirected.</summary>
    internal static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "minigpt5.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
