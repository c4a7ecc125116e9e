namespace MiniGpt5.Tensors;

/// <summary>The <c>approximate</c> argument of torch.nn.functional.gelu.</summary>
public enum GeluApproximation
{
    /// <summary>Exact: 0.5·x·(1 + erf(x/√2)).</summary>
    None,

    /// <summary>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    Tanh,
}
