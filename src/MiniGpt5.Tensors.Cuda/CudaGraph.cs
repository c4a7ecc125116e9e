namespace MiniGpt5.Tensors.Cuda;

/// <summary>
/// A captured sequence of ops replayed with one launch (the LLaMA decode step: hundreds of kernels, one host call).
/// Capture runs the body once on the backend's stream in capture mode: nothing executes, the kernels and copies are
/// recorded. The body must write into preallocated tensors (the ops' <c>output:</c> arguments) and must not read
/// results on the host; every replay then runs the same kernels on the same addresses, so inputs change by copying
/// new values into the captured input tensors before <see cref="Launch"/>.
/// </summary>
public sealed unsafe class CudaGraph : IDisposable
{
    // CU_STREAM_CAPTURE_MODE_RELAXED: allocation calls made by the body (the pool's first use) stay legal.
    private const int CaptureModeRelaxed = 2;
    private readonly CudaBackend _backend;
    private nint _graph;
    private nint _executable;

    private CudaGraph(CudaBackend backend, nint graph, nint executable)
    {
        _backend = backend;
        _graph = graph;
        _executable = executable;
    }

    /// <summary>Records <paramref name="body"/> on the backend's stream.</summary>
    /// <param name="backend">The backend whose stream is captured.</param>
    /// <param name="body">The ops to record.</param>
    /// <param name="warmUp">Run the body once for real first, so its kernels are compiled and loaded and its scratch
    /// memory is pooled before capture (module loads and fresh allocations do not belong in a graph).</param>
    public static CudaGraph Capture(CudaBackend backend, Action body, bool warmUp = true)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(body);
        var device = backend.CudaDevice;
        var api = device.Api;
        if (warmUp)
        {
            body();
        }

        device.Synchronize();
        api.Check(api.CuStreamBeginCapture(device.Stream, CaptureModeRelaxed), "cuStreamBeginCapture_v2");
        nint graph = 0;
        try
        {
            body();
        }
        finally
        {
            // Always end the capture, or the stream stays unusable.
            api.Check(api.CuStreamEndCapture(device.Stream, &graph), "cuStreamEndCapture");
        }

        nint executable;
        var result = api.CuGraphInstantiateWithFlags(&executable, graph, 0);
        if (result != 0)
        {
            _ = api.CuGraphDestroy(graph);
            api.Check(result, "cuGraphInstantiateWithFlags");
        }

        return new CudaGraph(backend, graph, executable);
    }

    /// <summary>Queues one replay on the backend's stream.</summary>
    public void Launch()
    {
        ObjectDisposedException.ThrowIf(_executable == 0, this);
        var device = _backend.CudaDevice;
        device.MakeCurrent();
        device.Api.Check(device.Api.CuGraphLaunch(_executable, device.Stream), "cuGraphLaunch");
    }

    public void Dispose()
    {
        if (_executable != 0)
        {
            var api = _backend.CudaDevice.Api;
            _ = api.CuGraphExecDestroy(_executable);
            _ = api.CuGraphDestroy(_graph);
            _executable = 0;
            _graph = 0;
        }
    }
}
