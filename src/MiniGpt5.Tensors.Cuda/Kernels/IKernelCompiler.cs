namespace MiniGpt5.Tensors.Cuda.Kernels;

/// <summary>Compiles CUDA C++ to a loadable image (NVRTC in production, a fake in tests).</summary>
internal interface IKernelCompiler
{
    /// <summary>A string that changes whenever the compiler's output may change (the NVRTC version).</summary>
    string Version { get; }

    /// <summary>Compiles <paramref name="source"/> for <paramref name="arch"/> ("sm_90").</summary>
    /// <param name="name">Module name, for messages.</param>
    /// <param name="source">The module source.</param>
    /// <param name="headers">Headers it may include, by include name.</param>
    /// <param name="arch">The device architecture.</param>
    /// <param name="options">Extra compiler options.</param>
    /// <returns>A CUBIN image for cuModuleLoadData.</returns>
    /// <exception cref="CudaException">The source did not compile; the message carries the compiler log.</exception>
    byte[] Compile(string name, string source, IReadOnlyDictionary<string, string> headers, string arch, IReadOnlyList<string> options);
}
