namespace MiniGpt5.Tensors;

// Arithmetic operators, shorthand for the Ops methods of the same meaning (each returns a new tensor).
public sealed partial class Tensor
{
    /// <summary><see cref="Ops.Add(Tensor, Tensor, Tensor?)"/>.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b);

    /// <summary><see cref="Ops.Add(Tensor, double, Tensor?)"/>.</summary>
    public static Tensor operator +(Tensor a, double b) => Ops.Add(a, b);

    /// <summary><see cref="Ops.Add(Tensor, double, Tensor?)"/>.</summary>
    public static Tensor operator +(double a, Tensor b) => Ops.Add(b, a);

    /// <summary><see cref="Ops.Sub(Tensor, Tensor, Tensor?)"/>.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Sub(a, b);

    /// <summary><see cref="Ops.Sub(Tensor, double, Tensor?)"/>.</summary>
    public static Tensor operator -(Tensor a, double b) => Ops.Sub(a, b);

    /// <summary><see cref="Ops.Sub(double, Tensor, Tensor?)"/>.</summary>
    public static Tensor operator -(double a, Tensor b) => Ops.Sub(a, b);

    /// <summary><see cref="Ops.Mul(Tensor, Tensor, Tensor?)"/>.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Mul(a, b);

    /// <summary><see cref="Ops.Mul(Tensor, double, Tensor?)"/>.</summary>
    public static Tensor operator *(Tensor a, double b) => Ops.Mul(a, b);

    /// <summary><see cref="Ops.Mul(Tensor, double, Tensor?)"/>.</summary>
    public static Tensor operator *(double a, Tensor b) => Ops.Mul(b, a);

    /// <summary><see cref="Ops.Div(Tensor, Tensor, Tensor?)"/>.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Div(a, b);

    /// <summary><see cref="Ops.Div(Tensor, double, Tensor?)"/>.</summary>
    public static Tensor operator /(Tensor a, double b) => Ops.Div(a, b);

    /// <summary><see cref="Ops.Div(double, Tensor, Tensor?)"/>.</summary>
    public static Tensor operator /(double a, Tensor b) => Ops.Div(a, b);

    /// <summary><see cref="Ops.Neg"/>.</summary>
    public static Tensor operator -(Tensor x) => Ops.Neg(x);
}
