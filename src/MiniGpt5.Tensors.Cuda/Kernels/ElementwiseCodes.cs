using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cuda.Kernels;

/// <summary>The op codes elementwise.cu switches on (U_* and B_* there), mapped from <see cref="OpKind"/>.</summary>
internal static class ElementwiseCodes
{
    /// <summary>Code of a plain copy or cast.</summary>
    public const int Copy = 0;

    /// <summary>Code of fill (the value is the first scalar).</summary>
    public const int Fill = 19;

    /// <summary>Added to a binary code for the op with a scalar operand.</summary>
    public const int ScalarBase = 100;

    /// <summary>The U_* code of a unary op, or -1.</summary>
    public static int Unary(OpKind kind) => kind switch
    {
        OpKind.Copy => Copy,
        OpKind.Neg => 1,
        OpKind.Abs => 2,
        OpKind.Exp => 3,
        OpKind.Log => 4,
        OpKind.Sqrt => 5,
        OpKind.Rsqrt => 6,
        OpKind.Sin => 7,
        OpKind.Cos => 8,
        OpKind.Tanh => 9,
        OpKind.Sigmoid => 10,
        OpKind.Relu => 11,
        OpKind.Gelu => 12,
        OpKind.GeluTanh => 13,
        OpKind.QuickGelu => 14,
        OpKind.Silu => 15,
        OpKind.Reciprocal => 16,
        OpKind.LogicalNot => 17,
        OpKind.Clamp => 18,
        OpKind.Fill => Fill,
        _ => -1,
    };

    /// <summary>The B_* code of a binary op, or -1.</summary>
    public static int Binary(OpKind kind) => kind switch
    {
        OpKind.Add => 0,
        OpKind.Sub => 1,
        OpKind.Mul => 2,
        OpKind.Div => 3,
        OpKind.Pow => 4,
        OpKind.Maximum => 5,
        OpKind.Minimum => 6,
        OpKind.Eq => 7,
        OpKind.Ne => 8,
        OpKind.Lt => 9,
        OpKind.Le => 10,
        OpKind.Gt => 11,
        OpKind.Ge => 12,
        OpKind.LogicalAnd => 13,
        OpKind.LogicalOr => 14,
        _ => -1,
    };
}
