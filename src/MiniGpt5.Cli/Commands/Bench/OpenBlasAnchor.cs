using System.Runtime.InteropServices;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// The system OpenBLAS (Debian's libopenblas.so.0), loaded at run time for `bench ops` only: the engine never calls
/// it. Exposes cblas_sgemm on raw row-major float buffers and reports the kernel set OpenBLAS picked (its
/// "core"; OPENBLAS_CORETYPE in the environment overrides the CPU detection).
/// </summary>
internal sealed class OpenBlasAnchor : IDisposable
{
    private const int RowMajor = 101;
    private const int NoTrans = 111;
    private const int Trans = 112;

    private readonly nint _library;
    private readonly SgemmFunction _sgemm;

    private OpenBlasAnchor(nint library, int threads)
    {
        _library = library;
        _sgemm = Marshal.GetDelegateForFunctionPointer<SgemmFunction>(NativeLibrary.GetExport(library, "cblas_sgemm"));
        if (NativeLibrary.TryGetExport(library, "openblas_set_num_threads", out var setThreads))
        {
            Marshal.GetDelegateForFunctionPointer<SetThreadsFunction>(setThreads)(threads);
        }

        Core = ReadString(library, "openblas_get_corename") ?? "unknown core";
        Config = ReadString(library, "openblas_get_config") ?? "OpenBLAS";
    }

    /// <summary>The kernel set in use, e.g. "Haswell" or "Cooperlake".</summary>
    public string Core { get; }

    /// <summary>openblas_get_config(): version and build options.</summary>
    public string Config { get; }

    /// <summary>A short anchor name for results.</summary>
    public string Name => $"OpenBLAS cblas_sgemm ({Core})";

    /// <summary>Loads libopenblas.so.0 (or the platform's name for it) with <paramref name="threads"/> threads, or
    /// returns null and why not.</summary>
    public static OpenBlasAnchor? TryLoad(int threads, out string? problem)
    {
        foreach (var name in new[] { "libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.dll" })
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                if (!NativeLibrary.TryGetExport(handle, "cblas_sgemm", out _))
                {
                    NativeLibrary.Free(handle);
                    problem = $"{name} has no cblas_sgemm export.";
                    return null;
                }

                problem = null;
                return new OpenBlasAnchor(handle, threads);
            }
        }

        problem = "OpenBLAS (libopenblas.so.0) was not found; install it with `apt-get install libopenblas-dev` for the GEMM anchor.";
        return null;
    }

    /// <summary>C[m×n] = A[m×k]·B (B [k×n] row-major, or [n×k] when <paramref name="transposeB"/>), all row-major.</summary>
    public void Sgemm(int m, int n, int k, nint a, nint b, bool transposeB, nint c) =>
        _sgemm(RowMajor, NoTrans, transposeB ? Trans : NoTrans, m, n, k, 1f, a, k, b, transposeB ? k : n, 0f, c, n);

    public void Dispose() => NativeLibrary.Free(_library);

    private static string? ReadString(nint library, string export) =>
        NativeLibrary.TryGetExport(library, export, out var function)
            ? Marshal.PtrToStringAnsi(Marshal.GetDelegateForFunctionPointer<StringFunction>(function)())?.Trim()
            : null;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SgemmFunction(
        int order, int transA, int transB, int m, int n, int k, float alpha, nint a, int lda, nint b, int ldb, float beta, nint c, int ldc);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetThreadsFunction(int threads);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nint StringFunction();
}
