using System.Runtime.InteropServices;
using Xunit;

namespace MiniGpt5.Testing;

/// <summary>
/// A test that needs an NVIDIA GPU. It is skipped, with the reason shown, when the CUDA driver library
/// cannot be loaded, so CI machines without a GPU stay green.
/// </summary>
public sealed class GpuFactAttribute : FactAttribute
{
    public GpuFactAttribute()
    {
        if (!GpuAvailability.HasCudaDriver)
        {
            Skip = "Needs an NVIDIA GPU: no CUDA driver (libcuda.so.1 / nvcuda.dll) with a usable device on this machine.";
        }
    }
}

/// <summary>Whether this machine has a CUDA driver to talk to.</summary>
public static class GpuAvailability
{
    private static readonly Lazy<bool> Present = new(Probe);

    /// <summary>True when the CUDA driver library loads, initialises, and reports at least one device.</summary>
    public static bool HasCudaDriver => Present.Value;

    private static bool Probe()
    {
        // A container can mount the driver library without a GPU behind it: require cuInit to succeed and at
        // least one device, so such machines skip the GPU tests instead of failing them.
        var name = OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1";
        if (!NativeLibrary.TryLoad(name, out var handle))
        {
            return false;
        }

        try
        {
            return HasDevice(handle);
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }

    private static unsafe bool HasDevice(IntPtr driver)
    {
        if (!NativeLibrary.TryGetExport(driver, "cuInit", out var init) || !NativeLibrary.TryGetExport(driver, "cuDeviceGetCount", out var getCount))
        {
            return false;
        }

        if (((delegate* unmanaged<uint, int>)init)(0) != 0)
        {
            return false;
        }

        var count = 0;
        return ((delegate* unmanaged<int*, int>)getCount)(&count) == 0 && count > 0;
    }
}
