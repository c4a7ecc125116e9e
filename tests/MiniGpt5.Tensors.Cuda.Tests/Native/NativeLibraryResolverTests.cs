using MiniGpt5.Tensors.Cuda.Native;

namespace MiniGpt5.Tensors.Cuda.Tests.Native;

public sealed class NativeLibraryResolverTests
{
    [Fact]
    public void A_missing_library_is_a_typed_error_naming_it_and_what_to_install()
    {
        var error = Assert.Throws<CudaUnavailableException>(() =>
            NativeLibraryResolver.Load("the test library", ["libminigpt5-does-not-exist.so.9", "libminigpt5-does-not-exist.so"], "Install the thing."));

        Assert.Equal("libminigpt5-does-not-exist.so.9", error.MissingLibrary);
        Assert.Contains("the test library", error.Message, StringComparison.Ordinal);
        Assert.Contains("libminigpt5-does-not-exist.so.9, libminigpt5-does-not-exist.so", error.Message, StringComparison.Ordinal);
        Assert.Contains("Install the thing.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_export_is_a_typed_error_naming_it()
    {
        // libc is always present; it does not export cuInit.
        var libc = NativeLibraryResolver.Load("libc", OperatingSystem.IsWindows() ? ["kernel32.dll"] : ["libc.so.6"], "");
        var error = Assert.Throws<CudaUnavailableException>(() => NativeLibraryResolver.Export(libc, "libc.so.6", "cuInit"));
        Assert.Contains("cuInit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Candidates_try_versioned_names_first()
    {
        var names = NativeLibraryResolver.Candidates("libnvrtc", ["13", "12"], ["nvrtc64_130_0.dll"]);
        if (OperatingSystem.IsWindows())
        {
            Assert.Equal(["nvrtc64_130_0.dll"], names);
        }
        else
        {
            Assert.Equal(["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"], names);
        }
    }

    [Fact]
    public void Without_CUDA_the_bindings_fail_with_the_typed_error_not_DllNotFound()
    {
        if (MiniGpt5.Testing.GpuAvailability.HasCudaDriver)
        {
            return; // Nothing to check on a GPU machine: the driver loads.
        }

        var error = Assert.Throws<CudaUnavailableException>(() => CudaDriverApi.Instance);
        Assert.Contains("libcuda", error.Message + error.MissingLibrary, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("NVIDIA driver", error.Message, StringComparison.Ordinal);
    }
}
