using System.Text;

namespace MiniGpt5.Tensors.Cuda.Kernels;

/// <summary>
/// The kernel modules of one device: each embedded source is compiled (through the on-disk cache) and loaded the
/// first time one of its kernels is launched; functions are looked up once.
/// </summary>
internal sealed unsafe class CudaKernels : IDisposable
{
    // NVRTC optimises fully by default; no fast-math: parity with the CPU backend matters more than a few ulps of speed.
    private static readonly IReadOnlyList<string> Options = [];
    private readonly CudaDevice _device;
    private readonly KernelCompileCache _cache;
    private readonly Dictionary<string, nint> _modules = [];
    private readonly Dictionary<(string Module, string Entry), nint> _functions = [];
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _headers = new() { [KernelSources.CommonHeader] = KernelSources.Read(KernelSources.CommonHeader) };

    public CudaKernels(CudaDevice device, KernelCompileCache cache)
    {
        _device = device;
        _cache = cache;
    }

    /// <summary>The function <paramref name="entry"/> of module <paramref name="module"/>.</summary>
    public nint Function(string module, string entry)
    {
        lock (_gate)
        {
            if (_functions.TryGetValue((module, entry), out var function))
            {
                return function;
            }

            if (!_modules.TryGetValue(module, out var handle))
            {
                var image = _cache.GetOrCompile(module, KernelSources.Read(module), _headers, _device.Architecture, Options);
                _device.MakeCurrent();
                fixed (byte* pointer = image)
                {
                    _device.Api.Check(_device.Api.CuModuleLoadData(&handle, pointer), $"cuModuleLoadData({module})");
                }

                _modules.Add(module, handle);
            }

            var name = Encoding.ASCII.GetBytes(entry + "\0");
            fixed (byte* pointer = name)
            {
                _device.Api.Check(_device.Api.CuModuleGetFunction(&function, handle, pointer), $"cuModuleGetFunction({module}.{entry})");
            }

            _functions.Add((module, entry), function);
            return function;
        }
    }

    /// <summary>Queues <paramref name="function"/> on the device's stream. <paramref name="arguments"/> points to
    /// one pointer per kernel parameter, each to a value of the parameter's exact type.</summary>
    public void Launch(nint function, LaunchConfig config, void** arguments, string name)
    {
        _device.Api.Check(
            _device.Api.CuLaunchKernel(function, config.GridX, config.GridY, 1, config.BlockX, 1, 1, config.SharedBytes, _device.Stream, arguments, null),
            $"cuLaunchKernel({name})");
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var module in _modules.Values)
            {
                _ = _device.Api.CuModuleUnload(module);
            }

            _modules.Clear();
            _functions.Clear();
        }
    }
}
