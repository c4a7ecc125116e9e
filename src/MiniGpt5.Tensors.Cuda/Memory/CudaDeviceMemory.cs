using MiniGpt5.Tensors.Cuda.Native;

namespace MiniGpt5.Tensors.Cuda.Memory;

/// <summary><see cref="IDeviceMemory"/> over the driver: cuMemAlloc/cuMemFree and timing-free events.</summary>
internal sealed unsafe class CudaDeviceMemory(CudaDevice device) : IDeviceMemory
{
    private const uint EventDisableTiming = 2;
    private readonly CudaDriverApi _api = device.Api;

    public bool TryAllocate(long bytes, out ulong address)
    {
        device.MakeCurrent();
        ulong pointer;
        var result = _api.CuMemAlloc(&pointer, (nuint)Math.Max(bytes, 1));
        if (result == CudaDriverApi.ErrorOutOfMemory)
        {
            address = 0;
            return false;
        }

        _api.Check(result, "cuMemAlloc_v2");
        address = pointer;
        return true;
    }

    public void Free(ulong address)
    {
        device.MakeCurrent();
        _api.Check(_api.CuMemFree(address), "cuMemFree_v2");
    }

    public nint RecordEvent(nint stream)
    {
        device.MakeCurrent();
        nint e;
        _api.Check(_api.CuEventCreate(&e, EventDisableTiming), "cuEventCreate");
        _api.Check(_api.CuEventRecord(e, stream), "cuEventRecord");
        return e;
    }

    public bool IsComplete(nint cudaEvent)
    {
        var result = _api.CuEventQuery(cudaEvent);
        if (result == CudaDriverApi.ErrorNotReady)
        {
            return false;
        }

        _api.Check(result, "cuEventQuery");
        return true;
    }

    public void DestroyEvent(nint cudaEvent)
    {
        if (cudaEvent != 0)
        {
            _api.Check(_api.CuEventDestroy(cudaEvent), "cuEventDestroy_v2");
        }
    }
}
