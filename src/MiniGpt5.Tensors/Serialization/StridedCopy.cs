using System.Runtime.CompilerServices;

namespace MiniGpt5.Tensors.Serialization;

/// <summary>
/// Copies a run of elements of a strided view into a dense row-major buffer. Used to materialise views of
/// shared storages (a transposed weight, a slice of a bigger tensor) and to stream big tensors in chunks.
/// </summary>
internal static unsafe class StridedCopy
{
    /// <summary>
    /// Copies elements [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>) in
    /// row-major order of the view (<paramref name="shape"/>, <paramref name="strides"/> in elements) whose
    /// element 0 is at <paramref name="source"/>, packed into <paramref name="destination"/>.
    /// </summary>
    public static void Gather(byte* source, int elementSize, long[] shape, long[] strides, long first, long count, byte* destination)
    {
        if (count == 0)
        {
            return;
        }

        Collapse(shape, strides, out var dims, out var steps);
        var rank = dims.Length;
        if (rank == 0)
        {
            // A scalar, or a view every dimension of which has size 1.
            Buffer.MemoryCopy(source, destination, elementSize, elementSize);
            return;
        }

        // Multi-index of `first` in the collapsed shape, innermost last.
        Span<long> index = stackalloc long[rank];
        var rest = first;
        for (var d = rank - 1; d >= 0; d--)
        {
            index[d] = rest % dims[d];
            rest /= dims[d];
        }

        var innerSize = dims[rank - 1];
        var innerStep = steps[rank - 1];
        var remaining = count;
        while (remaining > 0)
        {
            long offset = 0;
            for (var d = 0; d < rank; d++)
            {
                offset += index[d] * steps[d];
            }

            var run = Math.Min(innerSize - index[rank - 1], remaining);
            var from = source + (offset * elementSize);
            if (innerStep == 1)
            {
                var bytes = run * elementSize;
                Buffer.MemoryCopy(from, destination, bytes, bytes);
            }
            else
            {
                CopyStrided(from, elementSize, innerStep, run, destination);
            }

            destination += run * elementSize;
            remaining -= run;

            // Advance the odometer by `run` elements: the inner index wraps to 0, and a carry moves outward.
            index[rank - 1] += run;
            for (var d = rank - 1; d > 0 && index[d] == dims[d]; d--)
            {
                index[d] = 0;
                index[d - 1]++;
            }
        }
    }

    /// <summary>
    /// Drops size-1 dimensions and merges neighbours that are contiguous with each other, so that a dense
    /// tensor becomes one run and a transposed matrix keeps only its two real dimensions.
    /// </summary>
    private static void Collapse(long[] shape, long[] strides, out long[] dims, out long[] steps)
    {
        var d = new List<long>(shape.Length);
        var s = new List<long>(shape.Length);
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 1)
            {
                continue;
            }

            if (d.Count > 0 && s[^1] == strides[i] * shape[i])
            {
                // The previous (outer) dimension steps over exactly one full run of this one: merge.
                d[^1] *= shape[i];
                s[^1] = strides[i];
            }
            else
            {
                d.Add(shape[i]);
                s.Add(strides[i]);
            }
        }

        dims = [.. d];
        steps = [.. s];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyStrided(byte* from, int elementSize, long step, long count, byte* to)
    {
        switch (elementSize)
        {
            case 1:
                for (long i = 0; i < count; i++)
                {
                    to[i] = from[i * step];
                }

                break;
            case 2:
                for (long i = 0; i < count; i++)
                {
                    ((ushort*)to)[i] = ((ushort*)from)[i * step];
                }

                break;
            case 4:
                for (long i = 0; i < count; i++)
                {
                    ((uint*)to)[i] = ((uint*)from)[i * step];
                }

                break;
            case 8:
                for (long i = 0; i < count; i++)
                {
                    ((ulong*)to)[i] = ((ulong*)from)[i * step];
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(elementSize), elementSize, "Element sizes are 1, 2, 4 or 8 bytes.");
        }
    }
}
