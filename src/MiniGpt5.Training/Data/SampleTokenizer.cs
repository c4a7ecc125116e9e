using MiniGpt5.Text;

namespace MiniGpt5.Training.Data;

/// <summary>Tokenises examples the way CC3MDataset.__getitem__ does (no BOS, source and target separately).</summary>
public sealed class SampleTokenizer
{
    private readonly ITextTokenizer _tokenizer;

    /// <summary>Uses <paramref name="tokenizer"/> (with [IMG0]…[IMG7] and &lt;ImageHere&gt; as added tokens);
    /// <paramref name="firstVokenId"/> is the id of [IMG0].</summary>
    public SampleTokenizer(ITextTokenizer tokenizer, int firstVokenId, int vokenCount = 8)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
        FirstVokenId = firstVokenId;
        VokenCount = vokenCount;
    }

    /// <summary>Id of [IMG0].</summary>
    public int FirstVokenId { get; }

    /// <summary>Number of vokens (8).</summary>
    public int VokenCount { get; }

    /// <summary>Ids and labels of one example.</summary>
    public TokenizedSample Tokenize(MiniGpt5Example example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var source = _tokenizer.Encode(example.Source);
        var target = _tokenizer.Encode(example.Target);
        var ids = new int[source.Length + target.Length];
        source.CopyTo(ids, 0);
        target.CopyTo(ids, source.Length);
        var labels = new int[ids.Length];
        Array.Fill(labels, TokenizedSample.IgnoreIndex, 0, source.Length);
        target.CopyTo(labels, source.Length);

        // label[:, index+1 : index+IMG_TOKEN_NUM-1] = -100 after the first [IMG0]: [IMG1]…[IMG6] are not
        // supervised ([IMG0] and [IMG7] are).
        var first = Array.IndexOf(labels, FirstVokenId);
        if (first >= 0)
        {
            for (var i = first + 1; i < Math.Min(labels.Length, first + VokenCount - 1); i++)
            {
                labels[i] = TokenizedSample.IgnoreIndex;
            }
        }

        return new TokenizedSample(ids, labels, example);
    }
}
