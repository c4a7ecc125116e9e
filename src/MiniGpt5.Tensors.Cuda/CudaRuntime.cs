using System.Collections.Concurrent;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cuda;

/// <summary>
/// Opens CUDA devices and registers the CUDA backend with the engine (<see cref="Backends.Register"/>), so that
/// tensors on <c>Device.Cuda(n)</c> run their ops on <see cref="CudaBackend"/>. One backend per ordinal, for the
/// life of the process.
/// </summary>
public static class CudaRuntime
{
    private static readonly ConcurrentDictionary<int, Lazy<CudaBackend>> Opened = new();
    private static int _registered;

    /// <summary>Opens device <paramref name="ordinal"/> (once) and registers the backend factory.</summary>
    /// <exception cref="CudaUnavailableException">No driver, NVRTC, GPU, or no device with that ordinal; the
    /// message says which and what to install.</exception>
    public static CudaBackend Initialize(int ordinal = 0)
    {
        var backend = Get(ordinal);
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            Backends.Register(DeviceKind.Cuda, Get);
        }

        return backend;
    }

    /// <summary>Like <see cref="Initialize"/>, but returns false with the reason instead of throwing.</summary>
    public static bool TryInitialize(int ordinal, out CudaBackend? backend, out string? reason)
    {
        try
        {
            backend = Initialize(ordinal);
            reason = null;
            return true;
        }
        catch (CudaUnavailableException e)
        {
            reason = e.Message;
        }
        catch (CudaException e)
        {
            reason = e.Message;
        }

        backend = null;
        return false;
    }

    private static CudaBackend Create(int ordinal)
    {
        var device = CudaDevice.Open(ordinal);
        try
        {
            return new CudaBackend(device);
        }
        catch
        {
            // NVRTC missing: give the context back before reporting it.
            device.Dispose();
            throw;
        }
    }

    private static CudaBackend Get(int ordinal)
    {
        var lazy = Opened.GetOrAdd(ordinal, static o => new Lazy<CudaBackend>(() => Create(o)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A failed open is not cached: the next call retries (and says again why it fails).
            Opened.TryRemove(new KeyValuePair<int, Lazy<CudaBackend>>(ordinal, lazy));
            throw;
        }
    }
}
