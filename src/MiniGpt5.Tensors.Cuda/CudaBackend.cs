using MiniGpt5.Tensors.Cuda.Gemm;
using MiniGpt5.Tensors.Cuda.Kernels;
using MiniGpt5.Tensors.Cuda.Memory;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cuda;

/// <summary>
/// The engine's backend for one CUDA device: device memory from a caching pool, every op queued in order on the
/// device's stream (NVRTC-compiled kernels and cuBLASLt GEMMs), host copies that synchronise only when the host
/// needs the bytes. Ops it has no kernel for throw <see cref="CudaOpNotSupportedException"/> naming the op; it
/// never falls back to the CPU behind the caller's back. Register it with <see cref="CudaRuntime.Initialize(int)"/>.
/// </summary>
public sealed unsafe partial class CudaBackend : IBackend, IDisposable
{
    private readonly CudaDevice _device;
    private readonly CachingDeviceAllocator _pool;
    private readonly CudaKernels _kernels;
    private readonly Lazy<CublasLtGemm> _gemm;
    private bool _disposed;

    /// <summary>Creates the backend for an opened device (kernels are compiled on first use, cached on disk in
    /// <paramref name="kernelCacheDirectory"/> or <see cref="KernelCompileCache.DefaultDirectory"/>).</summary>
    /// <exception cref="CudaUnavailableException">NVRTC is missing.</exception>
    public CudaBackend(CudaDevice device, string? kernelCacheDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device = device;
        _pool = new CachingDeviceAllocator(new CudaDeviceMemory(device));
        var compiler = new NvrtcCompiler(Native.NvrtcApi.Instance);
        _kernels = new CudaKernels(device, new KernelCompileCache(compiler, kernelCacheDirectory ?? KernelCompileCache.DefaultDirectory()));
        _gemm = new Lazy<CublasLtGemm>(() => new CublasLtGemm(device, _pool));
    }

    /// <inheritdoc />
    public Device Device => _device.Device;

    /// <inheritdoc />
    public string Name => "cuda";

    /// <summary>The device this backend drives.</summary>
    public CudaDevice CudaDevice => _device;

    /// <summary>The memory pool's accounting (in use, cached, peaks).</summary>
    public DeviceMemoryStatistics MemoryStatistics => _pool.Statistics;

    /// <summary>Gives cached, idle device memory back to the driver; returns the bytes released.</summary>
    public long TrimMemory()
    {
        _device.Synchronize();
        return _pool.Trim();
    }

    /// <inheritdoc />
    public TensorStorage Allocate(long byteLength, bool zeroed)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _device.MakeCurrent();
        var block = _pool.Rent(byteLength, _device.Stream);
        if (zeroed && byteLength > 0)
        {
            _device.Api.Check(_device.Api.CuMemsetD8Async(block.Address, 0, (nuint)byteLength, _device.Stream), "cuMemsetD8Async");
        }

        return new CudaStorage(_pool, block, byteLength, _device.Stream, Device);
    }

    /// <inheritdoc />
    public void CopyFromHost(ReadOnlySpan<byte> source, TensorStorage destination, long destinationByteOffset)
    {
        var target = Require(destination, destinationByteOffset, source.Length);
        if (source.IsEmpty)
        {
            return;
        }

        _device.MakeCurrent();
        fixed (byte* pointer = source)
        {
            // From pageable memory the driver stages the bytes before returning, so the span may be reused at once;
            // the copy is ordered with every kernel on the stream.
            _device.Api.Check(_device.Api.CuMemcpyHtoDAsync(target, pointer, (nuint)source.Length, _device.Stream), "cuMemcpyHtoDAsync_v2");
        }
    }

    /// <inheritdoc />
    public void CopyToHost(TensorStorage source, long sourceByteOffset, Span<byte> destination)
    {
        var from = Require(source, sourceByteOffset, destination.Length);
        if (destination.IsEmpty)
        {
            return;
        }

        _device.MakeCurrent();
        fixed (byte* pointer = destination)
        {
            _device.Api.Check(_device.Api.CuMemcpyDtoHAsync(pointer, from, (nuint)destination.Length, _device.Stream), "cuMemcpyDtoHAsync_v2");
        }

        _device.Api.Check(_device.Api.CuStreamSynchronize(_device.Stream), "cuStreamSynchronize");
    }

    /// <inheritdoc />
    public bool Supports(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes) =>
        Unsupported(kind, inputs, outputs, attributes) is null;

    /// <inheritdoc />
    public void Execute(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var reason = Unsupported(kind, inputs, outputs, attributes);
        if (reason is not null)
        {
            throw new CudaOpNotSupportedException(kind, reason);
        }

        var output = outputs[0];
        if (output.NumElements == 0)
        {
            return;
        }

        if (StagesStridedInputs(kind) && !AllContiguous(inputs, output))
        {
            ExecuteOnContiguousCopies(kind, inputs, outputs, attributes);
            return;
        }

        _device.MakeCurrent();
        switch (kind)
        {
            case OpKind.Fill:
                Unary(ElementwiseCodes.Fill, null, output, (float)((ScalarAttributes)attributes).Value, 0);
                break;
            case OpKind.Clamp:
                var clamp = (ClampAttributes)attributes;
                Unary(ElementwiseCodes.Unary(kind), inputs[0], output, (float)(clamp.Min ?? double.NegativeInfinity), (float)(clamp.Max ?? double.PositiveInfinity));
                break;
            case OpKind.Where:
                Where(inputs[0], inputs[1], inputs[2], output);
                break;
            case OpKind.MaskedFill:
                MaskedFill(inputs[0], inputs[1], (float)((ScalarAttributes)attributes).Value, output);
                break;
            case OpKind.Linear:
                Linear(inputs[0], inputs[1], inputs.Length > 2 ? inputs[2] : null, output);
                break;
            case OpKind.Matmul:
                Matmul(inputs[0], inputs[1], output);
                break;
            case OpKind.RmsNorm:
                RmsNorm(inputs[0], inputs[1], output, (NormAttributes)attributes);
                break;
            case OpKind.LayerNorm:
                LayerNorm(inputs[0], Optional(inputs, 1), Optional(inputs, 2), output, (NormAttributes)attributes);
                break;
            case OpKind.GroupNorm:
                GroupNorm(inputs[0], Optional(inputs, 1), Optional(inputs, 2), output, (NormAttributes)attributes);
                break;
            case OpKind.Softmax or OpKind.LogSoftmax:
                Softmax(inputs[0], output, kind == OpKind.LogSoftmax);
                break;
            case OpKind.Rope:
                Rope(inputs[0], inputs[1], output, (RopeAttributes)attributes);
                break;
            case OpKind.ScaledDotProductAttention:
                Attention(inputs[0], inputs[1], inputs[2], Optional(inputs, 3), output, (AttentionAttributes)attributes);
                break;
            case OpKind.Cat:
                Cat(inputs, output, ((DimAttributes)attributes).Dim);
                break;
            case OpKind.Conv2d:
                Conv2d(inputs[0], inputs[1], Optional(inputs, 2), output, (Conv2dAttributes)attributes);
                break;
            case OpKind.Sum or OpKind.Mean or OpKind.Amax or OpKind.Amin or OpKind.Argmax or OpKind.Argmin or OpKind.Var:
                Reduce(kind, inputs[0], output, (ReduceAttributes)attributes);
                break;
            case OpKind.InterpolateNearest:
                InterpolateNearest(inputs[0], output);
                break;
            case OpKind.Embedding:
                Embedding(inputs[0], inputs[1], output);
                break;
            default:
                if (ElementwiseCodes.Binary(kind) >= 0)
                {
                    if (inputs.Length == 2)
                    {
                        Binary(ElementwiseCodes.Binary(kind), inputs[0], inputs[1], output);
                    }
                    else
                    {
                        var scalar = (ScalarAttributes)attributes;
                        Unary(ElementwiseCodes.ScalarBase + ElementwiseCodes.Binary(kind), inputs[0], output, (float)scalar.Value, scalar.ScalarFirst ? 1 : 0);
                    }
                }
                else
                {
                    Unary(ElementwiseCodes.Unary(kind), inputs[0], output, 0, 0);
                }

                break;
        }
    }

    /// <summary>Waits for every op queued on the device.</summary>
    public void Synchronize() => _device.Synchronize();

    /// <summary>Frees the GEMM workspace, the kernel modules and the pool's cache. Tensors still alive keep their
    /// memory until disposed.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _device.Synchronize();
        if (_gemm.IsValueCreated)
        {
            _gemm.Value.Dispose();
        }

        _kernels.Dispose();
        _pool.Dispose();
        _disposed = true;
    }

    internal CachingDeviceAllocator Pool => _pool;

    private ulong Require(TensorStorage storage, long offset, long length)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (storage is not CudaStorage cuda || storage.Device != Device)
        {
            throw new ArgumentException($"Storage on {storage.Device} ({storage.GetType().Name}) is not memory of the CUDA backend for {Device}.", nameof(storage));
        }

        if (offset < 0 || offset + length > storage.ByteLength)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Bytes [{offset}, {offset + length}) fall outside the {storage.ByteLength}-byte device storage.");
        }

        return cuda.Address + (ulong)offset;
    }

    private static Tensor? Optional(ReadOnlySpan<Tensor> inputs, int index) => inputs.Length > index ? inputs[index] : null;

    private static ulong Address(Tensor? tensor) => tensor is null ? 0 : (ulong)tensor.DataPointer;
}
