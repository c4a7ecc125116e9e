namespace MiniGpt5.Tensors.Dispatch;

/// <summary>
/// Every operation the engine knows. Backends switch on it (ggml-backend style) and the <see cref="IOpRecorder"/>
/// is told it. Inputs and outputs are listed in the order of the <see cref="Ops"/> method of the same name; optional
/// tensors (bias, weight, mask) are left out of the input list when absent. Binary ops with a scalar operand have one
/// input and carry the scalar in <see cref="ScalarAttributes"/>.
/// </summary>
public enum OpKind
{
    // Views: no backend call; the output shares the input's storage.

    /// <summary>Same elements, new tensor object.</summary>
    Alias,

    /// <summary>View/Reshape/Flatten/Squeeze/Unsqueeze (<see cref="ShapeAttributes"/>); may copy when not viewable.</summary>
    Reshape,

    /// <summary>Permute/Transpose (<see cref="PermuteAttributes"/>).</summary>
    Permute,

    /// <summary>Slice/Narrow (<see cref="SliceAttributes"/>).</summary>
    Slice,

    /// <summary>Select one index of a dimension (<see cref="SelectAttributes"/>).</summary>
    Select,

    /// <summary>Broadcast view (<see cref="ShapeAttributes"/>).</summary>
    Expand,

    // Copies.

    /// <summary>outputs[0] = inputs[0] broadcast and converted to the output dtype (clone, contiguous, cast, copy_).</summary>
    Copy,

    /// <summary>Fill outputs[0] with <see cref="ScalarAttributes.Value"/>; no inputs.</summary>
    Fill,

    // Unary elementwise.
    Neg,
    Abs,
    Exp,
    Log,
    Sqrt,
    Rsqrt,
    Sin,
    Cos,
    Tanh,
    Sigmoid,
    Relu,

    /// <summary>Exact GELU, 0.5·x·(1+erf(x/√2)).</summary>
    Gelu,

    /// <summary>GELU with the tanh approximation.</summary>
    GeluTanh,

    /// <summary>x·sigmoid(1.702·x) (OpenAI CLIP).</summary>
    QuickGelu,
    Silu,
    Reciprocal,
    LogicalNot,

    /// <summary>Clamp to [min, max] (<see cref="ClampAttributes"/>).</summary>
    Clamp,

    // Binary elementwise with broadcasting (or one tensor and a ScalarAttributes).
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Maximum,
    Minimum,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    LogicalAnd,
    LogicalOr,

    /// <summary>inputs = [condition, x, y].</summary>
    Where,

    /// <summary>inputs = [x, mask]; value in <see cref="ScalarAttributes"/>.</summary>
    MaskedFill,

    // Linear algebra.

    /// <summary>torch.matmul with batch broadcasting; inputs = [a, b].</summary>
    Matmul,

    /// <summary>inputs = [x, weight] or [x, weight, bias]; y = x·weightᵀ + bias.</summary>
    Linear,

    /// <summary>inputs = [x, weight] or [x, weight, bias] (<see cref="Conv2dAttributes"/>).</summary>
    Conv2d,

    /// <summary>inputs = [x, weight] or [x, weight, bias] (<see cref="Conv2dAttributes"/>).</summary>
    ConvTranspose2d,

    // Normalisation, attention, positional encoding.

    /// <summary>inputs = [x] or [x, weight] or [x, weight, bias] (<see cref="NormAttributes"/>).</summary>
    LayerNorm,

    /// <summary>inputs = [x] or [x, weight] or [x, weight, bias] (<see cref="NormAttributes"/>).</summary>
    GroupNorm,

    /// <summary>inputs = [x, weight] (<see cref="NormAttributes"/>).</summary>
    RmsNorm,

    /// <summary>Softmax along <see cref="DimAttributes.Dim"/>.</summary>
    Softmax,

    /// <summary>Log-softmax along <see cref="DimAttributes.Dim"/>.</summary>
    LogSoftmax,

    /// <summary>inputs = [q, k, v] or [q, k, v, mask] (<see cref="AttentionAttributes"/>).</summary>
    ScaledDotProductAttention,

    /// <summary>Rotary embedding, HF rotate-half layout; inputs = [x, positions] (<see cref="RopeAttributes"/>).</summary>
    Rope,

    // Indexing and layout.

    /// <summary>inputs = [ids, weight] (F.embedding order).</summary>
    Embedding,

    /// <summary>inputs = [x, index] (<see cref="DimAttributes"/>).</summary>
    IndexSelect,

    /// <summary>inputs = [x, index] (<see cref="DimAttributes"/>).</summary>
    Gather,

    /// <summary>inputs = [x, index, src]; out = x with src written at index along the dim (<see cref="DimAttributes"/>).</summary>
    Scatter,

    /// <summary>inputs = [x, index, src]; out = x with src added at index along the dim (<see cref="DimAttributes"/>).</summary>
    ScatterAdd,

    /// <summary>inputs = the tensors joined (<see cref="DimAttributes"/>).</summary>
    Cat,

    /// <summary>Nearest-neighbour resize of the last two dims (<see cref="InterpolateAttributes"/>).</summary>
    InterpolateNearest,

    // Reductions (<see cref="ReduceAttributes"/> unless noted).
    Sum,
    Mean,
    Amax,
    Amin,
    Argmax,
    Argmin,

    /// <summary>Variance with <see cref="ReduceAttributes.Correction"/>.</summary>
    Var,

    /// <summary>Cumulative sum along <see cref="DimAttributes.Dim"/>.</summary>
    Cumsum,

    // Sorting and sampling.

    /// <summary>outputs = [values, indices] (<see cref="TopKAttributes"/>).</summary>
    TopK,

    /// <summary>outputs = [values, indices] (<see cref="SortAttributes"/>).</summary>
    Sort,

    /// <summary>inputs = [probabilities] (<see cref="MultinomialAttributes"/>).</summary>
    Multinomial,
}
