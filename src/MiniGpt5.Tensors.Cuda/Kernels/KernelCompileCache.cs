using System.Security.Cryptography;
using System.Text;

namespace MiniGpt5.Tensors.Cuda.Kernels;

/// <summary>
/// Compiles each kernel module once per (source and headers, architecture, options, compiler version) and keeps
/// the CUBIN on disk, so a worker compiles on its first start only. The key is a SHA-256 over all of those, so an
/// edited kernel, another GPU generation or a new NVRTC never picks up a stale image. Files are written atomically
/// (temporary file, then rename): concurrent workers sharing the folder at worst compile twice.
/// </summary>
internal sealed class KernelCompileCache
{
    private readonly IKernelCompiler _compiler;

    public KernelCompileCache(IKernelCompiler compiler, string directory)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _compiler = compiler;
        Directory = directory;
    }

    /// <summary>Where the images are kept.</summary>
    public string Directory { get; }

    /// <summary>Compilations done by this instance (cache misses).</summary>
    public int Compilations { get; private set; }

    /// <summary>The default folder: $MINIGPT5_CUDA_CACHE, else the user's cache folder + minigpt5/cuda-kernels.</summary>
    public static string DefaultDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("MINIGPT5_CUDA_CACHE");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg) ? xdg
            : OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "minigpt5", "cuda-kernels");
    }

    /// <summary>The cache key: hex SHA-256 of everything that determines the image.</summary>
    public static string Key(string source, IReadOnlyDictionary<string, string> headers, string arch, IReadOnlyList<string> options, string compilerVersion)
    {
        var builder = new StringBuilder();
        builder.Append("minigpt5-cuda-kernel/1\n").Append(compilerVersion).Append('\n').Append(arch).Append('\n');
        foreach (var option in options)
        {
            builder.Append(option).Append('\0');
        }

        builder.Append('\n');
        foreach (var (name, text) in headers.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            builder.Append(name).Append('\0').Append(text.Length).Append('\0').Append(text);
        }

        builder.Append('\n').Append(source);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    /// <summary>The image of module <paramref name="name"/>: from disk when cached, else compiled and stored.</summary>
    public byte[] GetOrCompile(string name, string source, IReadOnlyDictionary<string, string> headers, string arch, IReadOnlyList<string> options)
    {
        var key = Key(source, headers, arch, options, _compiler.Version);
        var path = Path.Combine(Directory, $"{name}-{arch}-{key[..32]}.cubin");
        if (File.Exists(path))
        {
            var cached = File.ReadAllBytes(path);
            if (cached.Length > 0)
            {
                return cached;
            }
        }

        var image = _compiler.Compile(name, source, headers, arch, options);
        Compilations++;
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllBytes(temporary, image);
            File.Move(temporary, path, overwrite: true);
        }
        catch (IOException)
        {
            // A read-only or full cache folder costs a recompile next start, not a failure now.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return image;
    }
}
