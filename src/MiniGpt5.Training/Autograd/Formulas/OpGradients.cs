using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Training.Autograd.Formulas;

/// <summary>
/// The backward of every engine op, as a table on <see cref="OpKind"/>: <see cref="Plan"/> says which inputs and
/// outputs a node must keep, <see cref="Backward"/> computes input gradients from output gradients with engine ops
/// (so it runs on any backend). The families live in the other files of this folder. Gradients are float32.
/// </summary>
internal static partial class OpGradients
{
    /// <summary>Ops whose outputs carry no gradient (indices, booleans, samples): never recorded.</summary>
    public static bool IsNonDifferentiable(OpKind kind) => kind is
        OpKind.Fill or OpKind.LogicalNot or OpKind.LogicalAnd or OpKind.LogicalOr or
        OpKind.Eq or OpKind.Ne or OpKind.Lt or OpKind.Le or OpKind.Gt or OpKind.Ge or
        OpKind.Argmax or OpKind.Argmin or OpKind.Multinomial;

    /// <summary>Ops whose output shares its input's storage by design.</summary>
    public static bool IsView(OpKind kind) => kind is
        OpKind.Alias or OpKind.Reshape or OpKind.Permute or OpKind.Slice or OpKind.Select or OpKind.Expand;

    /// <summary>Which inputs and outputs the backward of <paramref name="kind"/> reads, given which inputs need a
    /// gradient. Throws <see cref="UnsupportedGradientException"/> for an op without a backward.</summary>
    public static (bool[] Inputs, bool[] Outputs) Plan(OpKind kind, OpAttributes attributes, bool[] needs, int inputCount, int outputCount)
    {
        var inputs = new bool[inputCount];
        var outputs = new bool[outputCount];
        var scalar = attributes as ScalarAttributes;
        bool Need(int i) => i < needs.Length && needs[i];
        void KeepInputs(params int[] indices)
        {
            foreach (var i in indices)
            {
                if (i < inputCount)
                {
                    inputs[i] = true;
                }
            }
        }

        switch (kind)
        {
            case OpKind.Alias or OpKind.Reshape or OpKind.Permute or OpKind.Slice or OpKind.Select or OpKind.Expand or OpKind.Copy:
            case OpKind.Neg or OpKind.Add or OpKind.Sub or OpKind.Cat or OpKind.InterpolateNearest:
            case OpKind.Sum or OpKind.Mean or OpKind.Cumsum:
                break;
            case OpKind.Abs or OpKind.Log or OpKind.Sin or OpKind.Cos or OpKind.Clamp:
            case OpKind.Gelu or OpKind.GeluTanh or OpKind.QuickGelu or OpKind.Silu:
            case OpKind.Var:
                KeepInputs(0);
                break;
            case OpKind.Exp or OpKind.Sqrt or OpKind.Rsqrt or OpKind.Tanh or OpKind.Sigmoid or OpKind.Relu or OpKind.Reciprocal:
            case OpKind.Softmax or OpKind.LogSoftmax:
                outputs[0] = true;
                break;
            case OpKind.Mul when scalar is null:
                if (Need(0))
                {
                    KeepInputs(1);
                }

                if (Need(1))
                {
                    KeepInputs(0);
                }

                break;
            case OpKind.Mul:
                break;
            case OpKind.Div when scalar is null:
                KeepInputs(1);
                if (Need(1))
                {
                    KeepInputs(0);
                }

                break;
            case OpKind.Div:
                if (scalar.ScalarFirst)
                {
                    KeepInputs(0);
                }

                break;
            case OpKind.Pow when scalar is null:
                KeepInputs(0, 1);
                outputs[0] = true;
                break;
            case OpKind.Pow:
                if (scalar.ScalarFirst)
                {
                    outputs[0] = true;
                }
                else
                {
                    KeepInputs(0);
                }

                break;
            case OpKind.Maximum or OpKind.Minimum:
                KeepInputs(0, 1);
                break;
            case OpKind.Where:
                KeepInputs(0);
                break;
            case OpKind.MaskedFill:
                KeepInputs(1);
                break;
            case OpKind.Matmul or OpKind.Linear or OpKind.Conv2d or OpKind.ConvTranspose2d:
                if (Need(0))
                {
                    KeepInputs(1);
                }

                if (Need(1))
                {
                    KeepInputs(0);
                }

                break;
            case OpKind.LayerNorm or OpKind.GroupNorm or OpKind.RmsNorm:
                KeepInputs(0, 1);
                break;
            case OpKind.ScaledDotProductAttention:
                KeepInputs(0, 1, 2, 3);
                outputs[0] = true;
                break;
            case OpKind.Rope:
            case OpKind.IndexSelect or OpKind.Gather or OpKind.Scatter or OpKind.ScatterAdd:
                KeepInputs(1);
                break;
            case OpKind.Embedding:
                KeepInputs(0);
                break;
            case OpKind.Amax or OpKind.Amin:
                KeepInputs(0);
                outputs[0] = true;
                break;
            case OpKind.TopK or OpKind.Sort:
                outputs[1] = true;
                break;
            default:
                throw new UnsupportedGradientException(
                    kind, $"Autograd: {kind} has no backward, but one of its inputs requires grad. Run it under GradMode.NoGrad() or detach its inputs.");
        }

        return (inputs, outputs);
    }

    /// <summary>Input gradients of one node (see <see cref="GradFunction.Backward"/>).</summary>
    public static Tensor?[] Backward(OpGradFunction node, Tensor?[] outputGradients)
    {
        if (node.Kind is OpKind.TopK or OpKind.Sort)
        {
            return SortedValues(node, outputGradients[0]);
        }

        var g = outputGradients[0];
        if (g is null)
        {
            return new Tensor?[node.InputCount];
        }

        return node.Kind switch
        {
            OpKind.Alias or OpKind.Reshape or OpKind.Permute or OpKind.Slice or OpKind.Select or OpKind.Expand or OpKind.Copy => View(node, g),
            OpKind.Neg or OpKind.Abs or OpKind.Exp or OpKind.Log or OpKind.Sqrt or OpKind.Rsqrt or OpKind.Sin or OpKind.Cos or
                OpKind.Tanh or OpKind.Sigmoid or OpKind.Relu or OpKind.Gelu or OpKind.GeluTanh or OpKind.QuickGelu or
                OpKind.Silu or OpKind.Reciprocal or OpKind.Clamp => [Unary(node, g)],
            OpKind.Add or OpKind.Sub or OpKind.Mul or OpKind.Div or OpKind.Pow or OpKind.Maximum or OpKind.Minimum => Binary(node, g),
            OpKind.Where => WhereBackward(node, g),
            OpKind.MaskedFill => [Ops.MaskedFill(g, node.Input(1), 0), null],
            OpKind.Matmul => MatmulBackward(node, g),
            OpKind.Linear => LinearBackward(node, g),
            OpKind.Conv2d => Conv2dBackward(node, g),
            OpKind.ConvTranspose2d => ConvTranspose2dBackward(node, g),
            OpKind.LayerNorm => LayerNormBackward(node, g),
            OpKind.GroupNorm => GroupNormBackward(node, g),
            OpKind.RmsNorm => RmsNormBackward(node, g),
            OpKind.Softmax => SoftmaxBackward(node, g),
            OpKind.LogSoftmax => LogSoftmaxBackward(node, g),
            OpKind.ScaledDotProductAttention => AttentionBackward(node, g),
            OpKind.Rope => RopeBackward(node, g),
            OpKind.Embedding => EmbeddingBackward(node, g),
            OpKind.IndexSelect => IndexSelectBackward(node, g),
            OpKind.Gather => GatherBackward(node, g),
            OpKind.Scatter or OpKind.ScatterAdd => ScatterBackward(node, g),
            OpKind.Cat => CatBackward(node, g),
            OpKind.InterpolateNearest => InterpolateNearestBackward(node, g),
            OpKind.Sum or OpKind.Mean or OpKind.Amax or OpKind.Amin or OpKind.Var or OpKind.Cumsum => [Reduction(node, g)],
            _ => throw new UnsupportedGradientException(node.Kind, $"Autograd: {node.Kind} has no backward."),
        };
    }
}
