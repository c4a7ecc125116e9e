using System.Numerics;

namespace MiniGpt5.Tensors.Serialization.Pickle;

/// <summary>
/// Python's equality for dictionary keys and set members: strings by ordinal, numbers by value across
/// bool/int/float (True == 1 == 1.0), bytes and tuples by content, everything else by identity. Mutable
/// containers are unhashable, as in Python.
/// </summary>
internal sealed class PickleKeyComparer : IEqualityComparer<object>
{
    public static readonly PickleKeyComparer Instance = new();

    /// <summary>Throws <see cref="InvalidDataException"/> for values Python refuses as keys.</summary>
    public static void EnsureHashable(object? key)
    {
        if (key is PickleList or PickleDictionary || key is PickleSet { IsFrozen: false })
        {
            throw new InvalidDataException($"unhashable type used as a dictionary key or set member: {key}.");
        }
    }

    public new bool Equals(object? x, object? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null)
        {
            return false;
        }

        if (IsNumber(x) && IsNumber(y))
        {
            return NumericEquals(x, y);
        }

        return (x, y) switch
        {
            (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
            (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
            (PickleTuple a, PickleTuple b) => a.Equals(b),
            (PickleGlobal a, PickleGlobal b) => a.Equals(b),
            _ => false,
        };
    }

    public int GetHashCode(object obj) => obj switch
    {
        null => 0,
        string s => StringComparer.Ordinal.GetHashCode(s),
        bool b => (b ? 1L : 0L).GetHashCode(),
        long l => l.GetHashCode(),
        BigInteger i => i.GetHashCode(),
        double d => d == Math.Floor(d) && d is >= long.MinValue and < long.MaxValue ? ((long)d).GetHashCode() : d.GetHashCode(),
        byte[] bytes => HashBytes(bytes),
        PickleTuple t => t.GetHashCode(),
        PickleGlobal g => g.GetHashCode(),
        _ => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj),
    };

    private static bool IsNumber(object o) => o is bool or long or BigInteger or double;

    private static bool NumericEquals(object x, object y)
    {
        if (x is not double && y is not double)
        {
            return ToBig(x) == ToBig(y);
        }

        if (ToDouble(x) != ToDouble(y))
        {
            return false;
        }

        if (x is double && y is double)
        {
            return true;
        }

        // A float equals an int only when it is exactly that integer; the int's nearest double is not enough.
        var d = x is double dx ? dx : (double)y;
        var other = x is double ? y : x;
        return !double.IsInfinity(d) && new BigInteger(d) == ToBig(other);
    }

    private static double ToDouble(object o) => o switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        BigInteger i => (double)i,
        double d => d,
        _ => double.NaN,
    };

    private static BigInteger ToBig(object o) => o switch
    {
        bool b => b ? BigInteger.One : BigInteger.Zero,
        long l => l,
        BigInteger i => i,
        _ => BigInteger.Zero,
    };

    private static int HashBytes(byte[] bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }
}
