using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniGpt5.Imaging;
using MiniGpt5.Imaging.Png;
using MiniGpt5.Models.Interleaved;
using MiniGpt5.Models.Llama;
using MiniGpt5.Models.Llama.Generation;
using MiniGpt5.Models.StableDiffusion;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Text;
using MiniGpt5.Text.Llama;

namespace MiniGpt5.Cli.Commands.Generate;

/// <summary>
/// `minigpt5 generate --model DIR ...`, the paper's playground, over two kinds of folder:
/// <list type="bullet">
/// <item>a MiniGPT-5 folder (minigpt5.json): one interleaved turn; prints the response text and writes the image the
/// vokens draw to <c>--out DIR/image.png</c>. <c>--prompt</c> is the user's text, wrapped as the playground does
/// (<c>{system}###Human:{text} ###Assistant:</c>) unless it already holds "###Human:"; each &lt;ImageHere&gt; in it
/// takes the next <c>--image</c>, and images it does not place go first, each in its &lt;Img&gt;&lt;ImageHere&gt;&lt;/Img&gt;
/// slot, then a newline (the VIST story layout).</item>
/// <item>a plain Hugging Face LLaMA/Vicuna folder (config.json + safetensors or .bin): text only, from
/// <c>--prompt</c> (encoded with BOS by the folder's tokenizer) or from <c>--ids '[1, 9038, ...]'</c>, stopping at
/// config.json's eos_token_id or after <c>--max-new-tokens</c>.</item>
/// </list>
/// <c>--temperature 0</c> decodes greedily. Text streams to a terminal as it is generated; <c>--json</c> prints one
/// object <c>{"tokens": [...], "text": "..."}</c> (plus "image" for a MiniGPT-5 folder). Exit codes: 0 done, 1 the
/// generation failed or was cancelled, 2 bad arguments or a folder that cannot be used (the message names the file,
/// key or value).
/// </summary>
internal static class GenerateCommand
{
    /// <summary>MiniGPT-5's playground seeds everything with 42.</summary>
    private const ulong DefaultSeed = 42;

    private const string ImageFileName = "image.png";

    /// <summary>Non-ASCII text stays readable in --json output (it is still valid JSON).</summary>
    private static readonly JsonSerializerOptions JsonOutput = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A MiniGPT-5 folder (minigpt5.json) or a Hugging Face LLaMA/Vicuna folder (config.json + weights).", Required = true };
        var prompt = new Option<string?>("--prompt") { Description = "The text to answer (MiniGPT-5: the user's turn; each <ImageHere> takes the next --image)." };
        var ids = new Option<string?>("--ids") { Description = "LLaMA folders: start from these token ids, a JSON array such as '[1, 9038, 2501]', instead of --prompt." };
        var images = new Option<string[]>("--image") { Description = "Input image (PNG or JPEG); repeat for several. MiniGPT-5 folders with an image encoder only.", AllowMultipleArgumentsPerToken = false };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the torch-compatible generator for tokens and image noise.", DefaultValueFactory = _ => DefaultSeed };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Most tokens to generate.", DefaultValueFactory = _ => 256 };
        var temperature = new Option<double?>("--temperature") { Description = "Sampling temperature; 0 decodes greedily (default: 1)." };
        var topK = new Option<int?>("--top-k") { Description = "Keep the k most likely tokens; 0 keeps all (default: 50)." };
        var topP = new Option<double?>("--top-p") { Description = "Nucleus sampling mass (default: 0.9 for MiniGPT-5, 1 for LLaMA)." };
        var repetition = new Option<double?>("--repetition-penalty") { Description = "Repetition penalty (default: 2 for MiniGPT-5, 1 for LLaMA)." };
        var steps = new Option<int>("--steps") { Description = "MiniGPT-5: denoising steps of the image.", DefaultValueFactory = _ => 50 };
        var guidance = new Option<double>("--guidance") { Description = "MiniGPT-5: classifier-free guidance scale of the image.", DefaultValueFactory = _ => 7.5 };
        var output = new Option<string?>("--out") { Description = $"MiniGPT-5: folder to write the image to ({ImageFileName})." };
        var force = new Option<bool>("--force") { Description = $"Replace {ImageFileName} in --out if it exists." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object {\"tokens\": [...], \"text\": \"...\"} instead of streaming the text." };
        var command = new Command("generate", "Generate a response (and, with MiniGPT-5, an image) from a MiniGPT-5 or LLaMA model folder.")
        {
            model, prompt, ids, images, seed, maxNew, temperature, topK, topP, repetition, steps, guidance, output, force, json,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new GenerateArguments(
                parse.GetValue(model)!,
                parse.GetValue(prompt),
                parse.GetValue(ids),
                parse.GetValue(images) ?? [],
                parse.GetValue(seed),
                parse.GetValue(maxNew),
                parse.GetValue(temperature),
                parse.GetValue(topK),
                parse.GetValue(topP),
                parse.GetValue(repetition),
                parse.GetValue(steps),
                parse.GetValue(guidance),
                parse.GetValue(output),
                parse.GetValue(force),
                parse.GetValue(json)),
            Console.Out,
            Console.Error,
            cancellationToken));
        return command;
    }

    /// <summary>Runs the command; see the class summary for exit codes.</summary>
    internal static async Task<int> RunAsync(GenerateArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (Problem(a) is { } problem)
        {
            await stderr.WriteLineAsync($"minigpt5 generate: {problem}");
            return 2;
        }

        var folder = Path.GetFullPath(a.Model);
        try
        {
            if (File.Exists(Path.Combine(folder, MiniGpt5ModelConfig.FileName)))
            {
                return await RunMiniGpt5Async(folder, a, stdout, stderr, cancellationToken);
            }

            if (File.Exists(Path.Combine(folder, "config.json")))
            {
                return await RunLlamaAsync(folder, a, stdout, stderr, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("minigpt5 generate: cancelled; nothing was written.");
            return 1;
        }

        await stderr.WriteLineAsync(Directory.Exists(folder)
            ? $"minigpt5 generate: '{folder}' has neither {MiniGpt5ModelConfig.FileName} (a MiniGPT-5 folder) nor config.json (a Hugging Face LLaMA folder)."
            : $"minigpt5 generate: '{folder}' does not exist; --model takes a MiniGPT-5 folder or a Hugging Face LLaMA folder.");
        return 2;
    }

    /// <summary>Argument checks that need no model.</summary>
    private static string? Problem(GenerateArguments a)
    {
        if ((a.Prompt is null) == (a.Ids is null))
        {
            return "give exactly one of --prompt and --ids.";
        }

        if (a.MaxNewTokens < 1)
        {
            return $"--max-new-tokens must be at least 1, not {a.MaxNewTokens}.";
        }

        if (a.Temperature is < 0 || a.Temperature is { } t && !double.IsFinite(t))
        {
            return $"--temperature must be 0 (greedy) or positive, not {a.Temperature}.";
        }

        if (a.TopK is < 0)
        {
            return $"--top-k must be 0 (off) or positive, not {a.TopK}.";
        }

        if (a.TopP is <= 0 or > 1)
        {
            return $"--top-p must be in (0, 1], not {a.TopP}.";
        }

        if (a.RepetitionPenalty is <= 0)
        {
            return $"--repetition-penalty must be positive, not {a.RepetitionPenalty}.";
        }

        return a.Steps is < 1 or > 1000 ? $"--steps must be between 1 and 1000, not {a.Steps}." : null;
    }

    private static SamplingOptions Sampling(SamplingOptions defaults, GenerateArguments a) => defaults with
    {
        Temperature = a.Temperature ?? defaults.Temperature,
        TopK = a.TopK ?? defaults.TopK,
        TopP = a.TopP ?? defaults.TopP,
        RepetitionPenalty = a.RepetitionPenalty ?? defaults.RepetitionPenalty,
    };

    private static async Task<int> RunLlamaAsync(string folder, GenerateArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (a.Images.Count > 0 || a.Output is not null)
        {
            await stderr.WriteLineAsync($"minigpt5 generate: '{folder}' is a plain LLaMA folder (text only); --image and --out need a MiniGPT-5 folder.");
            return 2;
        }

        LlamaTokenizer? tokenizer = null;
        LlamaForCausalLM llm;
        int[] eos;
        try
        {
            if (TokenizerFiles.Resolve(folder).Kind is TokenizerFileKind.SentencePieceModel or TokenizerFileKind.HuggingFaceTokenizerJson)
            {
                tokenizer = await LlamaTokenizer.LoadAsync(folder, cancellationToken: cancellationToken);
            }
            else if (a.Prompt is not null)
            {
                await stderr.WriteLineAsync($"minigpt5 generate: '{folder}' has no tokenizer.model or tokenizer.json to encode --prompt; pass --ids instead.");
                return 2;
            }

            eos = EndOfSequenceIds(Path.Combine(folder, "config.json"), tokenizer);
            llm = LlamaForCausalLM.Load(folder, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is LlamaConfigException or CheckpointException or TokenizerFormatException or FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            await stderr.WriteLineAsync($"minigpt5 generate: cannot use the model: {e.Message}");
            return 2;
        }

        using (llm)
        {
            int[] prompt;
            if (a.Ids is not null)
            {
                if (ParseIds(a.Ids, llm.Config.VocabSize) is not { } parsed)
                {
                    await stderr.WriteLineAsync($"minigpt5 generate: --ids must be a non-empty JSON array of token ids below the vocabulary size {llm.Config.VocabSize}, not '{a.Ids}'.");
                    return 2;
                }

                prompt = parsed;
            }
            else
            {
                prompt = tokenizer!.Encode(a.Prompt!, addBos: true);
            }

            if (prompt.Length + a.MaxNewTokens > llm.Config.MaxPositionEmbeddings)
            {
                await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"minigpt5 generate: warning: {prompt.Length} prompt + {a.MaxNewTokens} new tokens exceed max_position_embeddings = {llm.Config.MaxPositionEmbeddings}; quality may fall past it."));
            }

            var sampling = Sampling(SamplingOptions.Default, a);
            var streamer = !a.Json && tokenizer is not null && !Console.IsOutputRedirected ? new TextStreamer(tokenizer, stdout, text => text) : null;
            var result = await Task.Run(
                () => LlamaTextGenerator.Generate(llm, prompt, sampling, new StopCriteria { MaxNewTokens = a.MaxNewTokens, EndOfSequenceIds = eos }, a.Seed, streamer is null ? null : streamer.Add, cancellationToken),
                cancellationToken);
            var text = tokenizer is null ? null : GenerateText.Decode(tokenizer, result.Tokens, skipSpecialTokens: true, out _);
            if (a.Json)
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new JsonObject
                {
                    ["tokens"] = new JsonArray([.. result.Tokens.Select(t => JsonValue.Create(t))]),
                    ["text"] = text,
                }, JsonOutput));
            }
            else if (streamer is not null)
            {
                streamer.Finish();
            }
            else
            {
                await stdout.WriteLineAsync(text ?? $"[{string.Join(", ", result.Tokens)}]");
            }

            if (tokenizer is null && !a.Json)
            {
                await stderr.WriteLineAsync($"minigpt5 generate: '{folder}' has no tokenizer, so the ids are printed instead of text.");
            }

            await stderr.WriteLineAsync(Summary(result.Timings, result.StopReason));
            return 0;
        }
    }

    private static async Task<int> RunMiniGpt5Async(string folder, GenerateArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (a.Ids is not null)
        {
            await stderr.WriteLineAsync("minigpt5 generate: --ids works with plain LLaMA folders; a MiniGPT-5 turn starts from --prompt (and --image).");
            return 2;
        }

        if (a.Output is null)
        {
            await stderr.WriteLineAsync($"minigpt5 generate: '{folder}' is a MiniGPT-5 folder: pass --out DIR for the image it may draw.");
            return 2;
        }

        var outFolder = Path.GetFullPath(a.Output);
        var imagePath = Path.Combine(outFolder, ImageFileName);
        if (File.Exists(outFolder))
        {
            await stderr.WriteLineAsync($"minigpt5 generate: --out '{outFolder}' is a file; it must be a folder.");
            return 2;
        }

        if (File.Exists(imagePath) && !a.Force)
        {
            await stderr.WriteLineAsync($"minigpt5 generate: '{imagePath}' exists; pass --force to replace it.");
            return 2;
        }

        var images = new List<Image>();
        foreach (var path in a.Images)
        {
            try
            {
                images.Add(await ImageCodec.LoadAsync(path, cancellationToken: cancellationToken));
            }
            catch (Exception e) when (e is ImageFormatException or IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"minigpt5 generate: cannot read --image '{path}': {e.Message}");
                return 2;
            }
        }

        MiniGpt5Pipeline pipeline;
        try
        {
            pipeline = await Task.Run(() => MiniGpt5Pipeline.Load(folder, cancellationToken: cancellationToken), cancellationToken);
        }
        catch (Exception e) when (e is MiniGpt5ModelException or LlamaConfigException or StableDiffusionModelException or CheckpointException
            or TokenizerFormatException or FileNotFoundException or DirectoryNotFoundException)
        {
            await stderr.WriteLineAsync($"minigpt5 generate: cannot use the model: {e.Message}");
            return 2;
        }

        using (pipeline)
        {
            if (images.Count > 0 && pipeline.Model.ImageEncoder is null)
            {
                await stderr.WriteLineAsync($"minigpt5 generate: '{folder}' has no image encoder (no \"vision\" in {MiniGpt5ModelConfig.FileName}), so it cannot take --image.");
                return 2;
            }

            if (BuildPrompt(a.Prompt!, images.Count) is not { } prompt)
            {
                await stderr.WriteLineAsync($"minigpt5 generate: --prompt has more <ImageHere> slots than the {images.Count} --image file(s) given.");
                return 2;
            }

            var tokenizer = pipeline.Model.Tokenizer;
            var streamer = !a.Json && !Console.IsOutputRedirected ? new TextStreamer(tokenizer, stdout, CleanMiniGpt5Text) : null;
            var request = new MiniGpt5TurnRequest
            {
                Prompt = prompt,
                Images = images,
                Generation = new MiniGpt5GenerationOptions { Seed = a.Seed, MaxNewTokens = a.MaxNewTokens, Sampling = Sampling(SamplingOptions.MiniGpt5, a) },
                Steps = a.Steps,
                GuidanceScale = a.Guidance,
            };
            MiniGpt5TurnResult result;
            try
            {
                result = await Task.Run(() => pipeline.RunTurn(request, streamer is null ? null : streamer.Add, null, cancellationToken), cancellationToken);
            }
            catch (ArgumentException e)
            {
                await stderr.WriteLineAsync($"minigpt5 generate: {e.Message}");
                return 2;
            }

            string? written = null;
            var image = result.Image;
            if (image is not null)
            {
                Directory.CreateDirectory(outFolder);
                await WriteAtomicallyAsync(imagePath, PngEncoder.Encode(image), cancellationToken);
                written = imagePath;
            }

            if (a.Json)
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new JsonObject
                {
                    ["tokens"] = new JsonArray([.. result.Tokens.Select(t => JsonValue.Create(t))]),
                    ["text"] = result.Text,
                    ["image"] = written,
                }, JsonOutput));
            }
            else
            {
                if (streamer is not null)
                {
                    streamer.Finish();
                }
                else
                {
                    await stdout.WriteLineAsync(result.Text);
                }

                await stderr.WriteLineAsync(written is null
                    ? "minigpt5 generate: the response has no [IMG0], so no image was drawn."
                    : string.Create(CultureInfo.InvariantCulture, $"minigpt5 generate: wrote {written} ({image!.Width}x{image.Height})."));
            }

            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"minigpt5 generate: {result.Timings.GeneratedTokens} tokens ({result.StopReason}); prefill {result.Timings.Prefill.TotalSeconds:F2} s for {result.Timings.PromptLength} positions, decode {result.Timings.Decode.TotalSeconds:F2} s, image {result.Timings.ImageGeneration.TotalSeconds:F1} s."));
            return 0;
        }
    }

    /// <summary>
    /// The model input for <paramref name="user"/>: kept as it is when it already holds "###Human:", else the
    /// playground's turn around it, with the slots of images it does not place first. Null when it has more
    /// &lt;ImageHere&gt; than images.
    /// </summary>
    internal static string? BuildPrompt(string user, int imageCount)
    {
        const string Placeholder = "<ImageHere>";
        var placed = CountOccurrences(user, Placeholder);
        if (placed > imageCount)
        {
            return null;
        }

        var slots = string.Concat(Enumerable.Repeat(MiniGpt5Prompts.ImageSlot, imageCount - placed));
        if (user.Contains("###Human:", StringComparison.Ordinal))
        {
            if (slots.Length == 0)
            {
                return user;
            }

            var at = user.IndexOf("###Human:", StringComparison.Ordinal) + "###Human:".Length;
            return string.Concat(user.AsSpan(0, at), slots, "\n", user.AsSpan(at));
        }

        return MiniGpt5Prompts.Turn(MiniGpt5Prompts.VistSystemPrompt, slots.Length == 0 ? user : $"{slots}\n{user}");
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>What the playground shows: the decoded response without "###" (vokens are special and skipped).</summary>
    private static string CleanMiniGpt5Text(string text) => text.Replace("###", string.Empty, StringComparison.Ordinal).TrimStart();

    /// <summary>A JSON array of ids, each in [0, vocab), or null.</summary>
    internal static int[]? ParseIds(string text, int vocab)
    {
        try
        {
            var ids = JsonSerializer.Deserialize<int[]>(text);
            return ids is { Length: > 0 } && ids.All(id => id >= 0 && id < vocab) ? ids : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>config.json's eos_token_id (an id or a list), else the tokenizer's EOS, else none.</summary>
    private static int[] EndOfSequenceIds(string configPath, LlamaTokenizer? tokenizer)
    {
        var node = JsonNode.Parse(File.ReadAllText(configPath))?["eos_token_id"];
        return node switch
        {
            JsonArray list => [.. list.Select(n => n!.GetValue<int>())],
            JsonValue value when value.TryGetValue<int>(out var id) => [id],
            _ => tokenizer is null ? [] : [tokenizer.EosId],
        };
    }

    private static string Summary(GenerationTimings timings, StopReason reason) => string.Create(CultureInfo.InvariantCulture,
        $"minigpt5 generate: {timings.DecodedTokens + 1} tokens ({reason}); prefill {timings.PromptTokens} tokens in {timings.Prefill.TotalSeconds:F2} s ({timings.PrefillTokensPerSecond:F1} tok/s), decode {timings.DecodeTokensPerSecond:F1} tok/s.");

    private static async Task WriteAtomicallyAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
