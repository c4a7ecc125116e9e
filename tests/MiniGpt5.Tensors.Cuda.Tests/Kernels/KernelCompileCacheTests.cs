using MiniGpt5.Tensors.Cuda.Kernels;

namespace MiniGpt5.Tensors.Cuda.Tests.Kernels;

public sealed class KernelCompileCacheTests : IDisposable
{
    private static readonly Dictionary<string, string> Headers = new() { ["common.cuh"] = "#pragma once\n" };
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "minigpt5-cuda-cache-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void The_key_changes_with_source_headers_arch_options_and_compiler()
    {
        var baseline = KernelCompileCache.Key("src", Headers, "sm_90", ["-O3"], "nvrtc-12.4");

        Assert.Equal(baseline, KernelCompileCache.Key("src", new Dictionary<string, string>(Headers), "sm_90", ["-O3"], "nvrtc-12.4"));
        Assert.NotEqual(baseline, KernelCompileCache.Key("src ", Headers, "sm_90", ["-O3"], "nvrtc-12.4"));
        Assert.NotEqual(baseline, KernelCompileCache.Key("src", new Dictionary<string, string> { ["common.cuh"] = "#pragma once\n//" }, "sm_90", ["-O3"], "nvrtc-12.4"));
        Assert.NotEqual(baseline, KernelCompileCache.Key("src", Headers, "sm_80", ["-O3"], "nvrtc-12.4"));
        Assert.NotEqual(baseline, KernelCompileCache.Key("src", Headers, "sm_90", ["-O2"], "nvrtc-12.4"));
        Assert.NotEqual(baseline, KernelCompileCache.Key("src", Headers, "sm_90", ["-O3"], "nvrtc-12.6"));
        // Option boundaries matter: ["ab"] is not ["a", "b"].
        Assert.NotEqual(KernelCompileCache.Key("s", Headers, "sm_90", ["ab"], "v"), KernelCompileCache.Key("s", Headers, "sm_90", ["a", "b"], "v"));
        Assert.Matches("^[0-9a-f]{64}$", baseline);
    }

    [Fact]
    public void A_module_is_compiled_once_and_then_read_from_disk()
    {
        var compiler = new CountingCompiler();
        var first = new KernelCompileCache(compiler, _directory).GetOrCompile("norms", "source", Headers, "sm_90", []);
        var second = new KernelCompileCache(compiler, _directory);
        var again = second.GetOrCompile("norms", "source", Headers, "sm_90", []);

        Assert.Equal(first, again);
        Assert.Equal(1, compiler.Calls);
        Assert.Equal(0, second.Compilations);
        Assert.Single(Directory.GetFiles(_directory, "norms-sm_90-*.cubin"));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Fact]
    public void Another_architecture_compiles_again()
    {
        var compiler = new CountingCompiler();
        var cache = new KernelCompileCache(compiler, _directory);
        cache.GetOrCompile("norms", "source", Headers, "sm_90", []);
        cache.GetOrCompile("norms", "source", Headers, "sm_89", []);

        Assert.Equal(2, compiler.Calls);
    }

    [Fact]
    public void An_unwritable_cache_folder_still_returns_the_image()
    {
        var file = Path.Combine(Path.GetTempPath(), "minigpt5-cuda-cache-file-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(file, "not a folder");
        try
        {
            var image = new KernelCompileCache(new CountingCompiler(), Path.Combine(file, "sub")).GetOrCompile("rope", "s", Headers, "sm_90", []);
            Assert.NotEmpty(image);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Compile_errors_propagate()
    {
        var cache = new KernelCompileCache(new FailingCompiler(), _directory);
        var error = Assert.Throws<CudaException>(() => cache.GetOrCompile("rope", "s", Headers, "sm_90", []));
        Assert.Contains("rope", error.Message, StringComparison.Ordinal);
    }

    private sealed class CountingCompiler : IKernelCompiler
    {
        public int Calls { get; private set; }

        public string Version => "fake-1";

        public byte[] Compile(string name, string source, IReadOnlyDictionary<string, string> headers, string arch, IReadOnlyList<string> options)
        {
            Calls++;
            return System.Text.Encoding.UTF8.GetBytes($"{name}|{arch}|{source}");
        }
    }

    private sealed class FailingCompiler : IKernelCompiler
    {
        public string Version => "fake-1";

        public byte[] Compile(string name, string source, IReadOnlyDictionary<string, string> headers, string arch, IReadOnlyList<string> options) =>
            throw new CudaException($"NVRTC could not compile kernel module '{name}'");
    }
}
