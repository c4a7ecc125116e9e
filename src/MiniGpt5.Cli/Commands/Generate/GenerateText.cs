using MiniGpt5.Text.Llama;

namespace MiniGpt5.Cli.Commands.Generate;

/// <summary>Decoding helpers shared by the two kinds of model folder.</summary>
internal static class GenerateText
{
    /// <summary>
    /// Decodes <paramref name="ids"/>, leaving out ids the tokenizer does not know (a model may pad its embedding
    /// past the tokenizer's vocabulary, e.g. 32001 rows for 32000 pieces); <paramref name="unknown"/> counts them.
    /// </summary>
    public static string Decode(LlamaTokenizer tokenizer, IReadOnlyList<int> ids, bool skipSpecialTokens, out int unknown)
    {
        var known = new List<int>(ids.Count);
        unknown = 0;
        foreach (var id in ids)
        {
            if ((id >= 0 && id < tokenizer.Processor.VocabularySize) || tokenizer.AddedTokens.Any(t => t.Id == id))
            {
                known.Add(id);
            }
            else
            {
                unknown++;
            }
        }

        return tokenizer.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(known), skipSpecialTokens);
    }
}
