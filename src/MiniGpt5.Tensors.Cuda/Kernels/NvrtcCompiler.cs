using System.Runtime.InteropServices;
using System.Text;
using MiniGpt5.Tensors.Cuda.Native;

namespace MiniGpt5.Tensors.Cuda.Kernels;

/// <summary>Compiles kernel sources to CUBIN with NVRTC for the device's exact architecture.</summary>
internal sealed unsafe class NvrtcCompiler : IKernelCompiler
{
    private readonly NvrtcApi _api;

    public NvrtcCompiler(NvrtcApi api)
    {
        _api = api;
        var (major, minor) = api.Version();
        Version = $"nvrtc-{major}.{minor}";
    }

    /// <inheritdoc />
    public string Version { get; }

    /// <inheritdoc />
    public byte[] Compile(string name, string source, IReadOnlyDictionary<string, string> headers, string arch, IReadOnlyList<string> options)
    {
        var allOptions = new List<string> { $"--gpu-architecture={arch}", "--std=c++17", "-default-device" };
        allOptions.AddRange(options);
        var strings = new List<nint>();
        try
        {
            nint Utf8(string text)
            {
                var pointer = Marshal.StringToCoTaskMemUTF8(text);
                strings.Add(pointer);
                return pointer;
            }

            var headerNames = headers.Keys.ToArray();
            var headerSources = stackalloc byte*[Math.Max(1, headerNames.Length)];
            var headerIncludes = stackalloc byte*[Math.Max(1, headerNames.Length)];
            for (var i = 0; i < headerNames.Length; i++)
            {
                headerSources[i] = (byte*)Utf8(headers[headerNames[i]]);
                headerIncludes[i] = (byte*)Utf8(headerNames[i]);
            }

            nint program;
            _api.Check(_api.NvrtcCreateProgram(&program, (byte*)Utf8(source), (byte*)Utf8(name + ".cu"), headerNames.Length, headerSources, headerIncludes), "nvrtcCreateProgram");
            try
            {
                var optionPointers = stackalloc byte*[allOptions.Count];
                for (var i = 0; i < allOptions.Count; i++)
                {
                    optionPointers[i] = (byte*)Utf8(allOptions[i]);
                }

                var result = _api.NvrtcCompileProgram(program, allOptions.Count, optionPointers);
                if (result != 0)
                {
                    throw new CudaException($"NVRTC could not compile kernel module '{name}' for {arch}:\n{Log(program)}") { Code = result, Function = "nvrtcCompileProgram" };
                }

                nuint size;
                _api.Check(_api.NvrtcGetCubinSize(program, &size), "nvrtcGetCUBINSize");
                var image = new byte[(int)size];
                fixed (byte* pointer = image)
                {
                    _api.Check(_api.NvrtcGetCubin(program, pointer), "nvrtcGetCUBIN");
                }

                return image;
            }
            finally
            {
                _ = _api.NvrtcDestroyProgram(&program);
            }
        }
        finally
        {
            foreach (var pointer in strings)
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }

    private string Log(nint program)
    {
        nuint size;
        if (_api.NvrtcGetProgramLogSize(program, &size) != 0 || size == 0)
        {
            return "(no log)";
        }

        var log = new byte[(int)size];
        fixed (byte* pointer = log)
        {
            _ = _api.NvrtcGetProgramLog(program, pointer);
        }

        return Encoding.UTF8.GetString(log).TrimEnd('\0');
    }
}
