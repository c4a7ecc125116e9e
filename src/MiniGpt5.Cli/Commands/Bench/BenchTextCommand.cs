using System.CommandLine;
using System.Diagnostics;
using System.Text;
using MiniGpt5.Text;
using MiniGpt5.Text.Clip;
using MiniGpt5.Text.Llama;
using MiniGpt5.Text.SentencePiece;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// `minigpt5 bench text [--json]`: tokens per second of the LLaMA (SentencePiece BPE) and CLIP tokenizers on a
/// fixed embedded corpus (<see cref="BenchTextCorpus"/>), each beside an anchor measured in the same run:
/// <list type="bullet">
/// <item>encode cases: the reference BPE on the same files (SentencePiece: scan every adjacent pair, build the
/// string, merge the best, repeat; CLIP: openai's simple_tokenizer loop), no cache — same ids, naive algorithm;</item>
/// <item>decode case: .NET's UTF-8 decoding of the same text, in characters per second (a memory-speed ceiling).</item>
/// </list>
/// Each number is the best of three timed runs after a warm-up.
/// </summary>
internal static class BenchTextCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per case." };
        var llama = new Option<string?>("--llama") { Description = "LLaMA tokenizer.model or tokenizer.json (default: this repository's tests/data/text/llama-tokenizer.json)." };
        var clip = new Option<string?>("--clip") { Description = "CLIP tokenizer folder or merges file (default: this repository's tests/data/text/clip-sd2, a small synthetic vocabulary)." };
        var seconds = new Option<double>("--seconds") { Description = "Time per measurement.", DefaultValueFactory = _ => 1.0 };
        var command = new Command("text", "Tokenizer speed: LLaMA and CLIP encode/decode in tokens/s beside naive reference BPEs from the same run.");
        command.Options.Add(json);
        command.Options.Add(llama);
        command.Options.Add(clip);
        command.Options.Add(seconds);
        command.SetAction((parse, cancellationToken) =>
            Task.FromResult(Run(parse.GetValue(llama), parse.GetValue(clip), parse.GetValue(seconds), parse.GetValue(json), cancellationToken)));
        return command;
    }

    private const int Repeats = 3;

    private static int Run(string? llamaPath, string? clipPath, double seconds, bool json, CancellationToken cancellationToken)
    {
        if (seconds is <= 0 or > 600)
        {
            Console.Error.WriteLine($"minigpt5 bench text: --seconds must be above 0 and at most 600, not {seconds}.");
            return 2;
        }

        // Notes go to stderr under --json, so stdout stays one JSON object per line.
        var log = json ? Console.Error : Console.Out;
        try
        {
            llamaPath ??= FindRepositoryFile("llama-tokenizer.json");
            clipPath ??= FindRepositoryFile("clip-sd2");
            var texts = BenchTextCorpus.Texts;
            log.WriteLine($"corpus: {texts.Count} texts, {texts.Sum(t => t.Length):N0} chars; LLaMA: {llamaPath}; CLIP: {clipPath}; best of {Repeats} runs of {seconds} s each");

            var model = LoadSentencePieceModel(llamaPath);
            var fast = new SentencePieceProcessor(model);
            var uncached = new SentencePieceProcessor(model, BpeImplementation.Fast, useCache: false);
            var reference = new SentencePieceProcessor(model, BpeImplementation.Reference, useCache: false);
            var referenceRate = TokensPerSecond(reference, texts, seconds, cancellationToken);
            Report(BenchResult.HigherIsBetter("text/llama-encode", "tokens/s", TokensPerSecond(fast, texts, seconds, cancellationToken),
                "reference BPE (quadratic pair scan)", referenceRate));
            Report(BenchResult.HigherIsBetter("text/llama-encode-nocache", "tokens/s", TokensPerSecond(uncached, texts, seconds, cancellationToken),
                "reference BPE (quadratic pair scan)", referenceRate));

            var miniGpt5 = LlamaTokenizer.Load(llamaPath, LlamaTokenizerOptions.MiniGpt5);
            Report(BenchResult.HigherIsBetter("text/minigpt5-encode", "tokens/s", TokensPerSecond(miniGpt5, texts, seconds, cancellationToken),
                "reference BPE (quadratic pair scan, plain mode)", referenceRate));

            var encoded = texts.Select(fast.Encode).ToArray();
            Report(BenchResult.HigherIsBetter("text/llama-decode", "chars/s", DecodeCharsPerSecond(fast, encoded, seconds, cancellationToken),
                "UTF-8 decode of the same text", Utf8CharsPerSecond(texts, seconds, cancellationToken)));

            var clipTokenizer = ClipTokenizer.Load(clipPath);
            var clipReferenceRate = Measure(texts, seconds, t => clipTokenizer.EncodeWithReferenceBpe(t).Length, cancellationToken);
            Report(BenchResult.HigherIsBetter("text/clip-encode", "tokens/s", Measure(texts, seconds, t => clipTokenizer.Encode(t).Length, cancellationToken),
                "openai simple_tokenizer BPE loop, no cache", clipReferenceRate));
            return 0;

            void Report(BenchResult result) => Console.WriteLine(json ? result.ToJson() : result.ToText());
        }
        catch (Exception e) when (e is TokenizerFormatException or FileNotFoundException)
        {
            Console.Error.WriteLine($"minigpt5 bench text: {e.Message}");
            return 2;
        }
    }

    private static SentencePieceModel LoadSentencePieceModel(string path) => TokenizerFiles.Resolve(path) switch
    {
        (TokenizerFileKind.SentencePieceModel, var file) => SentencePieceModelReader.Read(file),
        (TokenizerFileKind.HuggingFaceTokenizerJson, var file) => HuggingFaceTokenizerJsonReader.Read(file).Model,
        var (kind, _) => throw new TokenizerFormatException(path, $"is a {kind}, not a LLaMA tokenizer.", null),
    };

    private static double TokensPerSecond(ITextTokenizer tokenizer, IReadOnlyList<string> texts, double seconds, CancellationToken cancellationToken) =>
        Measure(texts, seconds, t => tokenizer.Encode(t).Length, cancellationToken);

    private static double DecodeCharsPerSecond(SentencePieceProcessor processor, int[][] encoded, double seconds, CancellationToken cancellationToken) =>
        Measure(encoded, seconds, ids => processor.Decode(ids).Length, cancellationToken);

    private static double Utf8CharsPerSecond(IReadOnlyList<string> texts, double seconds, CancellationToken cancellationToken) =>
        Measure(texts.Select(Encoding.UTF8.GetBytes).ToArray(), seconds, bytes => Encoding.UTF8.GetString(bytes).Length, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> over the items in order, cycling (after a warm-up pass over the first 200),
    /// until <paramref name="seconds"/> have passed; returns the units it reports per second, best of
    /// <see cref="Repeats"/> runs (the machine is shared; the best run is the least disturbed one).
    /// </summary>
    private static double Measure<T>(IReadOnlyList<T> items, double seconds, Func<T, int> work, CancellationToken cancellationToken)
    {
        for (var i = 0; i < Math.Min(200, items.Count); i++)
        {
            work(items[i]);
        }

        var best = 0.0;
        for (var repeat = 0; repeat < Repeats; repeat++)
        {
            long units = 0;
            var watch = Stopwatch.StartNew();
            for (var i = 0; watch.Elapsed.TotalSeconds < seconds; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                units += work(items[i % items.Count]);
            }

            best = Math.Max(best, units / watch.Elapsed.TotalSeconds);
        }

        return best;
    }

    private static string FindRepositoryFile(string name)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "data", "text", name);
                if (File.Exists(candidate) || Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException($"tests/data/text/{name} was not found above the current directory; pass --llama / --clip.", name);
    }
}
