using System.Runtime.InteropServices;

namespace MiniGpt5.Tensors.Cuda.Native;

/// <summary>
/// The CUDA driver API (libcuda.so.1 / nvcuda.dll), bound through function pointers resolved on first use.
/// Handles are opaque pointers; device addresses are <see cref="ulong"/> (CUdeviceptr); size_t is
/// <see cref="nuint"/>. Every call goes through <see cref="Check"/>, which turns a CUresult into a
/// <see cref="CudaException"/> naming the call and the error.
/// </summary>
internal sealed unsafe class CudaDriverApi
{
    /// <summary>File names of the driver library (it ships with the NVIDIA display driver, not the toolkit).</summary>
    public static readonly IReadOnlyList<string> LibraryNames = OperatingSystem.IsWindows() ? ["nvcuda.dll"] : ["libcuda.so.1", "libcuda.so"];

    private const string Install =
        "Install the NVIDIA driver on the host (and run containers with the NVIDIA Container Toolkit, e.g. `docker run --gpus all`), or use --device cpu.";

    private static readonly Lazy<CudaDriverApi> Loaded = new(() => new CudaDriverApi(NativeLibraryResolver.Load("the CUDA driver", LibraryNames, Install)));

    public readonly delegate* unmanaged<uint, int> CuInit;
    public readonly delegate* unmanaged<int*, int> CuDriverGetVersion;
    public readonly delegate* unmanaged<int*, int> CuDeviceGetCount;
    public readonly delegate* unmanaged<int*, int, int> CuDeviceGet;
    public readonly delegate* unmanaged<byte*, int, int, int> CuDeviceGetName;
    public readonly delegate* unmanaged<int*, int, int, int> CuDeviceGetAttribute;
    public readonly delegate* unmanaged<nuint*, int, int> CuDeviceTotalMem;
    public readonly delegate* unmanaged<nint*, int, int> CuDevicePrimaryCtxRetain;
    public readonly delegate* unmanaged<int, int> CuDevicePrimaryCtxRelease;
    public readonly delegate* unmanaged<nint, int> CuCtxSetCurrent;
    public readonly delegate* unmanaged<int> CuCtxSynchronize;
    public readonly delegate* unmanaged<nuint*, nuint*, int> CuMemGetInfo;
    public readonly delegate* unmanaged<ulong*, nuint, int> CuMemAlloc;
    public readonly delegate* unmanaged<ulong, int> CuMemFree;
    public readonly delegate* unmanaged<void**, nuint, uint, int> CuMemHostAlloc;
    public readonly delegate* unmanaged<void*, int> CuMemFreeHost;
    public readonly delegate* unmanaged<ulong, void*, nuint, nint, int> CuMemcpyHtoDAsync;
    public readonly delegate* unmanaged<void*, ulong, nuint, nint, int> CuMemcpyDtoHAsync;
    public readonly delegate* unmanaged<ulong, ulong, nuint, nint, int> CuMemcpyDtoDAsync;
    public readonly delegate* unmanaged<ulong, byte, nuint, nint, int> CuMemsetD8Async;
    public readonly delegate* unmanaged<nint*, uint, int> CuStreamCreate;
    public readonly delegate* unmanaged<nint, int> CuStreamDestroy;
    public readonly delegate* unmanaged<nint, int> CuStreamSynchronize;
    public readonly delegate* unmanaged<nint, nint, uint, int> CuStreamWaitEvent;
    public readonly delegate* unmanaged<nint*, uint, int> CuEventCreate;
    public readonly delegate* unmanaged<nint, nint, int> CuEventRecord;
    public readonly delegate* unmanaged<nint, int> CuEventSynchronize;
    public readonly delegate* unmanaged<nint, int> CuEventQuery;
    public readonly delegate* unmanaged<float*, nint, nint, int> CuEventElapsedTime;
    public readonly delegate* unmanaged<nint, int> CuEventDestroy;
    public readonly delegate* unmanaged<nint*, void*, int> CuModuleLoadData;
    public readonly delegate* unmanaged<nint, int> CuModuleUnload;
    public readonly delegate* unmanaged<nint*, nint, byte*, int> CuModuleGetFunction;
    public readonly delegate* unmanaged<nint, int, int, int> CuFuncSetAttribute;
    public readonly delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int> CuLaunchKernel;
    public readonly delegate* unmanaged<nint, int, int> CuStreamBeginCapture;
    public readonly delegate* unmanaged<nint, nint*, int> CuStreamEndCapture;
    public readonly delegate* unmanaged<nint*, nint, ulong, int> CuGraphInstantiateWithFlags;
    public readonly delegate* unmanaged<nint, nint, int> CuGraphLaunch;
    public readonly delegate* unmanaged<nint, int> CuGraphExecDestroy;
    public readonly delegate* unmanaged<nint, int> CuGraphDestroy;
    public readonly delegate* unmanaged<int, byte**, int> CuGetErrorName;
    public readonly delegate* unmanaged<int, byte**, int> CuGetErrorString;

    private CudaDriverApi(nint library)
    {
        var name = LibraryNames[0];
        nint Get(string export) => NativeLibraryResolver.Export(library, name, export);

        CuInit = (delegate* unmanaged<uint, int>)Get("cuInit");
        CuDriverGetVersion = (delegate* unmanaged<int*, int>)Get("cuDriverGetVersion");
        CuDeviceGetCount = (delegate* unmanaged<int*, int>)Get("cuDeviceGetCount");
        CuDeviceGet = (delegate* unmanaged<int*, int, int>)Get("cuDeviceGet");
        CuDeviceGetName = (delegate* unmanaged<byte*, int, int, int>)Get("cuDeviceGetName");
        CuDeviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)Get("cuDeviceGetAttribute");
        CuDeviceTotalMem = (delegate* unmanaged<nuint*, int, int>)Get("cuDeviceTotalMem_v2");
        CuDevicePrimaryCtxRetain = (delegate* unmanaged<nint*, int, int>)Get("cuDevicePrimaryCtxRetain");
        CuDevicePrimaryCtxRelease = (delegate* unmanaged<int, int>)Get("cuDevicePrimaryCtxRelease_v2");
        CuCtxSetCurrent = (delegate* unmanaged<nint, int>)Get("cuCtxSetCurrent");
        CuCtxSynchronize = (delegate* unmanaged<int>)Get("cuCtxSynchronize");
        CuMemGetInfo = (delegate* unmanaged<nuint*, nuint*, int>)Get("cuMemGetInfo_v2");
        CuMemAlloc = (delegate* unmanaged<ulong*, nuint, int>)Get("cuMemAlloc_v2");
        CuMemFree = (delegate* unmanaged<ulong, int>)Get("cuMemFree_v2");
        CuMemHostAlloc = (delegate* unmanaged<void**, nuint, uint, int>)Get("cuMemHostAlloc");
        CuMemFreeHost = (delegate* unmanaged<void*, int>)Get("cuMemFreeHost");
        CuMemcpyHtoDAsync = (delegate* unmanaged<ulong, void*, nuint, nint, int>)Get("cuMemcpyHtoDAsync_v2");
        CuMemcpyDtoHAsync = (delegate* unmanaged<void*, ulong, nuint, nint, int>)Get("cuMemcpyDtoHAsync_v2");
        CuMemcpyDtoDAsync = (delegate* unmanaged<ulong, ulong, nuint, nint, int>)Get("cuMemcpyDtoDAsync_v2");
        CuMemsetD8Async = (delegate* unmanaged<ulong, byte, nuint, nint, int>)Get("cuMemsetD8Async");
        CuStreamCreate = (delegate* unmanaged<nint*, uint, int>)Get("cuStreamCreate");
        CuStreamDestroy = (delegate* unmanaged<nint, int>)Get("cuStreamDestroy_v2");
        CuStreamSynchronize = (delegate* unmanaged<nint, int>)Get("cuStreamSynchronize");
        CuStreamWaitEvent = (delegate* unmanaged<nint, nint, uint, int>)Get("cuStreamWaitEvent");
        CuEventCreate = (delegate* unmanaged<nint*, uint, int>)Get("cuEventCreate");
        CuEventRecord = (delegate* unmanaged<nint, nint, int>)Get("cuEventRecord");
        CuEventSynchronize = (delegate* unmanaged<nint, int>)Get("cuEventSynchronize");
        CuEventQuery = (delegate* unmanaged<nint, int>)Get("cuEventQuery");
        CuEventElapsedTime = (delegate* unmanaged<float*, nint, nint, int>)Get("cuEventElapsedTime");
        CuEventDestroy = (delegate* unmanaged<nint, int>)Get("cuEventDestroy_v2");
        CuModuleLoadData = (delegate* unmanaged<nint*, void*, int>)Get("cuModuleLoadData");
        CuModuleUnload = (delegate* unmanaged<nint, int>)Get("cuModuleUnload");
        CuModuleGetFunction = (delegate* unmanaged<nint*, nint, byte*, int>)Get("cuModuleGetFunction");
        CuFuncSetAttribute = (delegate* unmanaged<nint, int, int, int>)Get("cuFuncSetAttribute");
        CuLaunchKernel = (delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int>)Get("cuLaunchKernel");
        CuStreamBeginCapture = (delegate* unmanaged<nint, int, int>)Get("cuStreamBeginCapture_v2");
        CuStreamEndCapture = (delegate* unmanaged<nint, nint*, int>)Get("cuStreamEndCapture");
        CuGraphInstantiateWithFlags = (delegate* unmanaged<nint*, nint, ulong, int>)Get("cuGraphInstantiateWithFlags");
        CuGraphLaunch = (delegate* unmanaged<nint, nint, int>)Get("cuGraphLaunch");
        CuGraphExecDestroy = (delegate* unmanaged<nint, int>)Get("cuGraphExecDestroy");
        CuGraphDestroy = (delegate* unmanaged<nint, int>)Get("cuGraphDestroy");
        CuGetErrorName = (delegate* unmanaged<int, byte**, int>)Get("cuGetErrorName");
        CuGetErrorString = (delegate* unmanaged<int, byte**, int>)Get("cuGetErrorString");
    }

    /// <summary>The driver, loaded on first use.</summary>
    /// <exception cref="CudaUnavailableException">The driver library is not installed or too old.</exception>
    public static CudaDriverApi Instance => Loaded.Value;

    /// <summary>CUresult of cuEventQuery while the event's work is still running.</summary>
    public const int ErrorNotReady = 600;

    /// <summary>CUresult when the device is out of memory.</summary>
    public const int ErrorOutOfMemory = 2;

    /// <summary>CUresult when cuInit finds no CUDA-capable device.</summary>
    public const int ErrorNoDevice = 100;

    /// <summary>Throws a <see cref="CudaException"/> naming <paramref name="function"/> unless <paramref name="result"/> is CUDA_SUCCESS.</summary>
    public void Check(int result, string function)
    {
        if (result != 0)
        {
            throw new CudaException($"{function} failed: {Describe(result)}.") { Code = result, Function = function };
        }
    }

    /// <summary>"CUDA_ERROR_OUT_OF_MEMORY (2): out of memory".</summary>
    public string Describe(int result)
    {
        byte* name = null;
        byte* text = null;
        _ = CuGetErrorName(result, &name);
        _ = CuGetErrorString(result, &text);
        var nameText = name is null ? "CUDA_ERROR_UNKNOWN" : Marshal.PtrToStringUTF8((nint)name);
        var description = text is null ? "unrecognised error code" : Marshal.PtrToStringUTF8((nint)text);
        return $"{nameText} ({result}): {description}";
    }
}
