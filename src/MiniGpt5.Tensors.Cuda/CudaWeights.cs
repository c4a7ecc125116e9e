using MiniGpt5.Tensors.Cuda.Memory;

namespace MiniGpt5.Tensors.Cuda;

/// <summary>
/// Weights uploaded to one device arena by <see cref="Upload"/>: a single device allocation that every tensor views,
/// filled through a ring of pinned staging buffers with a few large copies (PCIe speed), not one copy per tensor.
/// Disposing it disposes the tensors; the arena is freed when the last of them (or of views of them) is gone.
/// </summary>
public sealed unsafe class CudaWeights : IDisposable
{
    /// <summary>Bytes per pinned staging slot (and so per host-to-device copy).</summary>
    public const int DefaultChunkBytes = 64 << 20;

    private readonly Dictionary<string, Tensor> _tensors;

    private CudaWeights(Dictionary<string, Tensor> tensors, long arenaBytes)
    {
        _tensors = tensors;
        ArenaBytes = arenaBytes;
    }

    /// <summary>The uploaded tensors by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// <summary>Size of the device arena.</summary>
    public long ArenaBytes { get; }

    /// <summary>Uploads contiguous host tensors (memory-mapped checkpoint tensors included) to the backend's device.</summary>
    /// <exception cref="ArgumentException">A tensor is not a contiguous CPU tensor, or a name repeats.</exception>
    public static CudaWeights Upload(CudaBackend backend, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, CancellationToken cancellationToken, int chunkBytes = DefaultChunkBytes, int slots = 3)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(tensors);
        var lengths = new long[tensors.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tensors.Count; i++)
        {
            var (name, tensor) = (tensors[i].Key, tensors[i].Value);
            if (!names.Add(name))
            {
                throw new ArgumentException($"Weight '{name}' appears twice in the upload.", nameof(tensors));
            }

            if (tensor.Device != Device.Cpu || !tensor.IsContiguous)
            {
                throw new ArgumentException($"Weight '{name}' {tensor} must be a contiguous CPU tensor to upload.", nameof(tensors));
            }

            lengths[i] = tensor.NumElements * tensor.DType.SizeOf();
        }

        var plan = UploadPlan.Build(lengths, chunkBytes);

        // The arena may be a pooled block that kernels still queued on the compute stream were using; the copies
        // run on their own stream, so let that work finish first.
        backend.Synchronize();
        var arena = backend.Allocate(Math.Max(plan.ArenaBytes, 1), zeroed: false);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using (var transport = new CudaUploadTransport(backend.CudaDevice, slots, chunkBytes))
            {
                WeightUploader.Upload(plan, (item, offset, destination) =>
                {
                    // Through the pointer: a memory-mapped checkpoint file is larger than a span can index.
                    var tensor = tensors[item].Value;
                    new ReadOnlySpan<byte>((byte*)tensor.DataPointer + offset, destination.Length).CopyTo(destination);
                }, transport, (ulong)arena.Pointer, cancellationToken);
            }

            for (var i = 0; i < tensors.Count; i++)
            {
                var source = tensors[i].Value;
                var view = Tensor.FromStorage(arena, source.DType, source.Shape, plan.Offsets[i] / source.DType.SizeOf());
                result.Add(tensors[i].Key, view.DetachFromScope());
            }
        }
        catch
        {
            foreach (var t in result.Values)
            {
                t.Dispose();
            }

            throw;
        }
        finally
        {
            // The views hold their own references; the arena goes when the last view does.
            arena.Release();
        }

        return new CudaWeights(result, plan.ArenaBytes);
    }

    public void Dispose()
    {
        foreach (var tensor in _tensors.Values)
        {
            tensor.Dispose();
        }

        _tensors.Clear();
    }
}
