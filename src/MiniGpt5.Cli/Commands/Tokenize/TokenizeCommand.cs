using System.CommandLine;
using System.Text.Json;
using MiniGpt5.Text;
using MiniGpt5.Text.Clip;
using MiniGpt5.Text.Llama;

namespace MiniGpt5.Cli.Commands.Tokenize;

/// <summary>
/// `minigpt5 tokenize --tokenizer PATH --text TEXT [--bos] [--minigpt5] [--clip]`: prints the token ids as a
/// JSON array. The tokenizer kind is told from the file's content: a SentencePiece tokenizer.model or a
/// LLaMA-style tokenizer.json (LLaMA), a CLIP tokenizer folder or CLIP merges file (CLIP).
/// </summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var tokenizerOption = new Option<string>("--tokenizer")
        {
            Description = "tokenizer.model, tokenizer.json, a CLIP tokenizer folder (vocab.json + merges.txt) or bpe_simple_vocab_16e6.txt.gz",
            Required = true,
        };
        var textOption = new Option<string>("--text") { Description = "The text to encode.", Required = true };
        var bosOption = new Option<bool>("--bos")
        {
            Description = "LLaMA: put <s> first (never added otherwise). CLIP: wrap in <|startoftext|> ... <|endoftext|>, no padding.",
        };
        var miniGpt5Option = new Option<bool>("--minigpt5")
        {
            Description = "LLaMA: MiniGPT-5's tokenizer (transformers 4.31 legacy): [IMG0]..[IMG7] and <ImageHere> added after the "
                + "vocabulary and split out of the text first, whitespace around them stripped, each remaining chunk encoded "
                + "with its own dummy prefix.",
        };
        var clipOption = new Option<bool>("--clip")
        {
            Description = "CLIP: the text encoder's input (77 ids: <|startoftext|>, ids, <|endoftext|>, padding).",
        };

        var command = new Command("tokenize", "Encode text with a LLaMA (SentencePiece) or CLIP tokenizer and print the ids as a JSON array.");
        command.Options.Add(tokenizerOption);
        command.Options.Add(textOption);
        command.Options.Add(bosOption);
        command.Options.Add(miniGpt5Option);
        command.Options.Add(clipOption);
        command.SetAction(parse =>
        {
            var request = new TokenizeRequest(
                parse.GetValue(tokenizerOption)!,
                parse.GetValue(textOption)!,
                parse.GetValue(bosOption),
                parse.GetValue(miniGpt5Option),
                parse.GetValue(clipOption));
            return Run(request, Console.Out, Console.Error);
        });
        return command;
    }

    /// <summary>Runs the command; exit code 0 on success, 2 for a bad tokenizer path or a flag that does not fit it.</summary>
    public static int Run(TokenizeRequest request, TextWriter output, TextWriter error)
    {
        try
        {
            var ids = Encode(request);
            output.WriteLine(JsonSerializer.Serialize(ids));
            return 0;
        }
        catch (Exception e) when (e is TokenizerFormatException or FileNotFoundException or UsageException)
        {
            error.WriteLine($"minigpt5 tokenize: {e.Message}");
            return 2;
        }
    }

    private static int[] Encode(TokenizeRequest request)
    {
        var kind = TokenizerFiles.Detect(request.TokenizerPath);
        switch (kind)
        {
            case TokenizerFileKind.SentencePieceModel or TokenizerFileKind.HuggingFaceTokenizerJson:
                if (request.Clip)
                {
                    throw new UsageException($"--clip needs a CLIP tokenizer, but '{request.TokenizerPath}' is a LLaMA tokenizer ({kind}).");
                }

                var llama = LlamaTokenizer.Load(request.TokenizerPath, request.MiniGpt5 ? LlamaTokenizerOptions.MiniGpt5 : new LlamaTokenizerOptions());
                return llama.Encode(request.Text, request.Bos);

            case TokenizerFileKind.ClipFolder or TokenizerFileKind.ClipMerges:
                if (request.MiniGpt5)
                {
                    throw new UsageException($"--minigpt5 needs a LLaMA tokenizer, but '{request.TokenizerPath}' is a CLIP tokenizer ({kind}).");
                }

                var clip = ClipTokenizer.Load(request.TokenizerPath);
                if (request.Clip)
                {
                    return clip.EncodeForModel(request.Text).InputIds;
                }

                var content = clip.Encode(request.Text);
                return request.Bos ? [clip.BosId, .. content, clip.EosId] : content;

            default:
                throw new UsageException($"'{request.TokenizerPath}' is not a tokenizer this command reads; expected {TokenizerFiles.Accepted}.");
        }
    }

    /// <summary>The command's arguments.</summary>
    internal sealed record TokenizeRequest(string TokenizerPath, string Text, bool Bos, bool MiniGpt5, bool Clip);

    /// <summary>A flag that does not fit the tokenizer given.</summary>
    private sealed class UsageException(string message) : Exception(message);
}
