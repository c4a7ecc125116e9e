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
            Skip = "Needs an NVIDIA GPU: the CUDA driver (libcuda.so.1 / nvcuda.dll) is not present on this machine.";
        }
    }
}

/// <summary>Whether this machine has a CUDA driver to talk to.</summary>
public static class GpuAvailability
{
    private static readonly Lazy<bool> Present = new(Probe);

    /// <summary>True when the CUDA driver library loads.</summary>
    public static bool HasCudaDriver => Present.Value;

    private static bool Probe()
    {
        var name = OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1";
        if (!NativeLibrary.TryLoad(name, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }
}
