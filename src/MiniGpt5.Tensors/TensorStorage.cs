namespace MiniGpt5.Tensors;

/// <summary>
/// A block of memory that tensors view. Lifetime is explicit and reference-counted: the creator holds one
/// reference, every tensor that views the storage takes one (<see cref="Retain"/>) and gives it back when
/// disposed (<see cref="Release"/>); the memory is freed when the count reaches zero. There is no finalizer:
/// memory that is never released is a bug the caller must fix, not something the GC papers over.
/// </summary>
public abstract class TensorStorage
{
    private int _references = 1;

    /// <summary>Address of the first byte. Valid until the last reference is released.</summary>
    public abstract nint Pointer { get; }

    /// <summary>Size of the block in bytes.</summary>
    public abstract long ByteLength { get; }

    /// <summary>Where the memory lives.</summary>
    public virtual Device Device => Device.Cpu;

    /// <summary>False for storages that view read-only memory (a memory-mapped checkpoint).</summary>
    public virtual bool IsWritable => true;

    /// <summary>Number of live references; zero once freed.</summary>
    public int ReferenceCount => Volatile.Read(ref _references);

    /// <summary>Takes one more reference. Throws if the storage was already freed.</summary>
    public void Retain()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current <= 0)
            {
                throw new ObjectDisposedException(GetType().Name, "The tensor storage was already freed.");
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return;
            }
        }
    }

    /// <summary>Gives back one reference; frees the memory when it was the last.</summary>
    public void Release()
    {
        var remaining = Interlocked.Decrement(ref _references);
        if (remaining == 0)
        {
            Free();
        }
        else if (remaining < 0)
        {
            throw new InvalidOperationException("Tensor storage released more times than it was retained.");
        }
    }

    /// <summary>Frees the underlying memory. Called exactly once, by the last <see cref="Release"/>.</summary>
    protected abstract void Free();

    /// <summary>A span over the whole block (CPU storages only).</summary>
    public unsafe Span<byte> AsBytes()
    {
        if (Device.Kind != DeviceKind.Cpu)
        {
            throw new InvalidOperationException($"Storage on {Device} cannot be read as a host span.");
        }

        if (ReferenceCount <= 0)
        {
            throw new ObjectDisposedException(GetType().Name, "The tensor storage was already freed.");
        }

        return new Span<byte>((void*)Pointer, checked((int)ByteLength));
    }
}
