using System.Runtime.InteropServices;
using MiniGpt5.Tensors.Cuda.Native;

namespace MiniGpt5.Tensors.Cuda;

/// <summary>
/// One opened CUDA device: its primary context, the stream the backend queues work on, and its properties. Open it
/// with <see cref="TryOpen"/> (which never throws for a missing driver or GPU: it says why) or <see cref="Open"/>.
/// </summary>
public sealed unsafe class CudaDevice : IDisposable
{
    private const int AttributeMultiprocessorCount = 16;
    private const int AttributeComputeCapabilityMajor = 75;
    private const int AttributeComputeCapabilityMinor = 76;
    private const uint StreamNonBlocking = 1;

    private readonly CudaDriverApi _api;
    private bool _disposed;

    private CudaDevice(CudaDriverApi api, int ordinal, int handle)
    {
        _api = api;
        Ordinal = ordinal;
        Handle = handle;

        var name = stackalloc byte[256];
        api.Check(api.CuDeviceGetName(name, 256, handle), "cuDeviceGetName");
        Name = Marshal.PtrToStringUTF8((nint)name) ?? $"CUDA device {ordinal}";
        ComputeCapability = (Attribute(AttributeComputeCapabilityMajor), Attribute(AttributeComputeCapabilityMinor));
        Multiprocessors = Attribute(AttributeMultiprocessorCount);
        nuint total;
        api.Check(api.CuDeviceTotalMem(&total, handle), "cuDeviceTotalMem_v2");
        TotalMemoryBytes = (long)total;
        int driver;
        api.Check(api.CuDriverGetVersion(&driver), "cuDriverGetVersion");
        DriverVersion = $"{driver / 1000}.{driver % 1000 / 10}";

        nint context;
        api.Check(api.CuDevicePrimaryCtxRetain(&context, handle), "cuDevicePrimaryCtxRetain");
        Context = context;
        MakeCurrent();
        nint stream;
        api.Check(api.CuStreamCreate(&stream, StreamNonBlocking), "cuStreamCreate");
        Stream = stream;
    }

    /// <summary>The device ordinal (cuda:N).</summary>
    public int Ordinal { get; }

    /// <summary>The device's marketing name ("NVIDIA H100 80GB HBM3").</summary>
    public string Name { get; }

    /// <summary>Compute capability (9, 0 for Hopper).</summary>
    public (int Major, int Minor) ComputeCapability { get; }

    /// <summary>The NVRTC architecture name, "sm_90".</summary>
    public string Architecture => $"sm_{ComputeCapability.Major}{ComputeCapability.Minor}";

    /// <summary>Streaming multiprocessors.</summary>
    public int Multiprocessors { get; }

    /// <summary>Device memory in bytes.</summary>
    public long TotalMemoryBytes { get; }

    /// <summary>The CUDA version the installed driver supports ("12.4").</summary>
    public string DriverVersion { get; }

    /// <summary>The engine's name for this device.</summary>
    public Device Device => Device.Cuda(Ordinal);

    internal int Handle { get; }

    internal nint Context { get; }

    /// <summary>The stream every op of the backend is queued on, in order.</summary>
    internal nint Stream { get; }

    internal CudaDriverApi Api => _api;

    /// <summary>Number of CUDA devices, or a <see cref="CudaUnavailableException"/> saying why there are none usable.</summary>
    public static int Count()
    {
        var api = CudaDriverApi.Instance;
        Initialize(api);
        int count;
        api.Check(api.CuDeviceGetCount(&count), "cuDeviceGetCount");
        return count;
    }

    /// <summary>Opens device <paramref name="ordinal"/>, or returns null with the reason (no driver, no GPU, bad
    /// ordinal, driver error) in <paramref name="reason"/>.</summary>
    public static CudaDevice? TryOpen(int ordinal, out string? reason)
    {
        try
        {
            var device = Open(ordinal);
            reason = null;
            return device;
        }
        catch (CudaUnavailableException e)
        {
            reason = e.Message;
        }
        catch (CudaException e)
        {
            reason = e.Message;
        }

        return null;
    }

    /// <summary>Opens device <paramref name="ordinal"/>.</summary>
    /// <exception cref="CudaUnavailableException">No driver, no device, or no device with that ordinal.</exception>
    public static CudaDevice Open(int ordinal)
    {
        var api = CudaDriverApi.Instance;
        Initialize(api);
        int count;
        api.Check(api.CuDeviceGetCount(&count), "cuDeviceGetCount");
        if (count == 0)
        {
            throw new CudaUnavailableException("The CUDA driver is installed but sees no GPU. Check `nvidia-smi`, and that containers run with `--gpus all`; or use --device cpu.");
        }

        if (ordinal < 0 || ordinal >= count)
        {
            throw new CudaUnavailableException($"There is no CUDA device cuda:{ordinal}: this machine has {count} (cuda:0 to cuda:{count - 1}).");
        }

        int handle;
        api.Check(api.CuDeviceGet(&handle, ordinal), "cuDeviceGet");
        return new CudaDevice(api, ordinal, handle);
    }

    /// <summary>Free and total device memory as the driver reports it.</summary>
    public (long FreeBytes, long TotalBytes) MemoryInfo()
    {
        MakeCurrent();
        nuint free, total;
        _api.Check(_api.CuMemGetInfo(&free, &total), "cuMemGetInfo_v2");
        return ((long)free, (long)total);
    }

    /// <summary>Waits for every op queued on the device.</summary>
    public void Synchronize()
    {
        MakeCurrent();
        _api.Check(_api.CuStreamSynchronize(Stream), "cuStreamSynchronize");
    }

    /// <summary>Binds the device's context to the calling thread (contexts are per thread in the driver API).</summary>
    internal void MakeCurrent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _api.Check(_api.CuCtxSetCurrent(Context), "cuCtxSetCurrent");
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"cuda:{Ordinal} {Name} ({Architecture}, {Multiprocessors} SMs, {TotalMemoryBytes / (1L << 30)} GiB, driver CUDA {DriverVersion})";

    /// <summary>Destroys the stream and releases the primary context.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _ = _api.CuCtxSetCurrent(Context);
        _ = _api.CuStreamSynchronize(Stream);
        _ = _api.CuStreamDestroy(Stream);
        _ = _api.CuDevicePrimaryCtxRelease(Handle);
        _disposed = true;
    }

    private int Attribute(int attribute)
    {
        int value;
        _api.Check(_api.CuDeviceGetAttribute(&value, attribute, Handle), "cuDeviceGetAttribute");
        return value;
    }

    private static void Initialize(CudaDriverApi api)
    {
        var result = api.CuInit(0);
        if (result == CudaDriverApi.ErrorNoDevice)
        {
            throw new CudaUnavailableException("The CUDA driver is installed but found no CUDA-capable GPU (CUDA_ERROR_NO_DEVICE). Use --device cpu.");
        }

        if (result != 0)
        {
            throw new CudaUnavailableException($"The CUDA driver failed to start: {api.Describe(result)}. Check `nvidia-smi` and the driver installation, or use --device cpu.");
        }
    }
}
