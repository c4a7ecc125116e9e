using System.Runtime.InteropServices;

namespace MiniGpt5.Tensors.Cuda.Native;

/// <summary>
/// NVRTC, the runtime CUDA C++ compiler (libnvrtc.so.12 / nvrtc64_120_0.dll), bound through function pointers
/// resolved on first use. It ships in the NVIDIA CUDA "runtime" container images and the nvidia-cuda-nvrtc wheels.
/// </summary>
internal sealed unsafe class NvrtcApi
{
    /// <summary>File names to try, newest major version first.</summary>
    public static readonly IReadOnlyList<string> LibraryNames = NativeLibraryResolver.Candidates(
        "libnvrtc", ["13", "12", "11.2"], ["nvrtc64_130_0.dll", "nvrtc64_120_0.dll", "nvrtc64_112_0.dll"]);

    private const string Install =
        "Install NVRTC from the CUDA toolkit (apt: cuda-nvrtc-12-x; containers: an nvidia/cuda *-runtime image) and make sure it is on LD_LIBRARY_PATH/PATH.";

    private static readonly Lazy<NvrtcApi> Loaded = new(() => new NvrtcApi(NativeLibraryResolver.Load("NVRTC", LibraryNames, Install)));

    public readonly delegate* unmanaged<int*, int*, int> NvrtcVersion;
    public readonly delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int> NvrtcCreateProgram;
    public readonly delegate* unmanaged<nint, int, byte**, int> NvrtcCompileProgram;
    public readonly delegate* unmanaged<nint*, int> NvrtcDestroyProgram;
    public readonly delegate* unmanaged<nint, nuint*, int> NvrtcGetProgramLogSize;
    public readonly delegate* unmanaged<nint, byte*, int> NvrtcGetProgramLog;
    public readonly delegate* unmanaged<nint, nuint*, int> NvrtcGetCubinSize;
    public readonly delegate* unmanaged<nint, byte*, int> NvrtcGetCubin;
    public readonly delegate* unmanaged<nint, nuint*, int> NvrtcGetPtxSize;
    public readonly delegate* unmanaged<nint, byte*, int> NvrtcGetPtx;
    public readonly delegate* unmanaged<int, byte*> NvrtcGetErrorString;

    private NvrtcApi(nint library)
    {
        var name = LibraryNames[0];
        nint Get(string export) => NativeLibraryResolver.Export(library, name, export);

        NvrtcVersion = (delegate* unmanaged<int*, int*, int>)Get("nvrtcVersion");
        NvrtcCreateProgram = (delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int>)Get("nvrtcCreateProgram");
        NvrtcCompileProgram = (delegate* unmanaged<nint, int, byte**, int>)Get("nvrtcCompileProgram");
        NvrtcDestroyProgram = (delegate* unmanaged<nint*, int>)Get("nvrtcDestroyProgram");
        NvrtcGetProgramLogSize = (delegate* unmanaged<nint, nuint*, int>)Get("nvrtcGetProgramLogSize");
        NvrtcGetProgramLog = (delegate* unmanaged<nint, byte*, int>)Get("nvrtcGetProgramLog");
        NvrtcGetCubinSize = (delegate* unmanaged<nint, nuint*, int>)Get("nvrtcGetCUBINSize");
        NvrtcGetCubin = (delegate* unmanaged<nint, byte*, int>)Get("nvrtcGetCUBIN");
        NvrtcGetPtxSize = (delegate* unmanaged<nint, nuint*, int>)Get("nvrtcGetPTXSize");
        NvrtcGetPtx = (delegate* unmanaged<nint, byte*, int>)Get("nvrtcGetPTX");
        NvrtcGetErrorString = (delegate* unmanaged<int, byte*>)Get("nvrtcGetErrorString");
    }

    /// <summary>NVRTC, loaded on first use.</summary>
    /// <exception cref="CudaUnavailableException">NVRTC is not installed.</exception>
    public static NvrtcApi Instance => Loaded.Value;

    /// <summary>NVRTC_ERROR_COMPILATION: the source did not compile (the log says why).</summary>
    public const int ErrorCompilation = 6;

    /// <summary>Throws a <see cref="CudaException"/> naming <paramref name="function"/> unless <paramref name="result"/> is NVRTC_SUCCESS.</summary>
    public void Check(int result, string function)
    {
        if (result != 0)
        {
            var text = Marshal.PtrToStringUTF8((nint)NvrtcGetErrorString(result)) ?? "unknown NVRTC error";
            throw new CudaException($"{function} failed: {text} ({result}).") { Code = result, Function = function };
        }
    }

    /// <summary>(major, minor) of the loaded NVRTC; part of every compile-cache key.</summary>
    public (int Major, int Minor) Version()
    {
        int major, minor;
        Check(NvrtcVersion(&major, &minor), "nvrtcVersion");
        return (major, minor);
    }
}
