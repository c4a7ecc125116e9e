namespace MiniGpt5.Tensors;

/// <summary>
/// How a causal mask lines up when the query length L differs from the key length S (PyTorch's
/// <c>torch.nn.attention.bias.CausalVariant</c>).
/// </summary>
public enum CausalVariant
{
    /// <summary>Query i sees keys 0..i (<c>tril(ones(L, S))</c>): what <c>is_causal=True</c> means in PyTorch.</summary>
    UpperLeft,

    /// <summary>Query i sees keys 0..i+(S-L): the right mask when the queries are the last L positions of the keys,
    /// as in decoding with a KV cache.</summary>
    LowerRight,
}
