using System.Runtime.InteropServices;

namespace MiniGpt5.Tensors.Cuda.Native;

/// <summary>
/// Finds a native library among its versioned file names with <see cref="NativeLibrary.TryLoad(string, out nint)"/>
/// and its exports with <see cref="NativeLibrary.TryGetExport"/>, so a machine without CUDA gets a
/// <see cref="CudaUnavailableException"/> that says what to install instead of a DllNotFoundException at the
/// first call.
/// </summary>
internal static class NativeLibraryResolver
{
    /// <summary>Loads the first of <paramref name="candidates"/> that exists.</summary>
    /// <param name="what">Human name ("the CUDA driver").</param>
    /// <param name="candidates">File names in order of preference (newest version first).</param>
    /// <param name="install">What to install when none loads.</param>
    public static nint Load(string what, IReadOnlyList<string> candidates, string install)
    {
        foreach (var name in candidates)
        {
            if (NativeLibrary.TryLoad(name, typeof(NativeLibraryResolver).Assembly, DllImportSearchPath.SafeDirectories | DllImportSearchPath.AssemblyDirectory, out var handle)
                || NativeLibrary.TryLoad(name, out handle))
            {
                return handle;
            }
        }

        throw new CudaUnavailableException(
            $"Cannot load {what}: none of {string.Join(", ", candidates)} was found on the library search path. {install}")
        {
            MissingLibrary = candidates[0],
        };
    }

    /// <summary>The address of <paramref name="export"/> in <paramref name="library"/>.</summary>
    public static nint Export(nint library, string libraryName, string export)
    {
        if (!NativeLibrary.TryGetExport(library, export, out var address))
        {
            throw new CudaUnavailableException(
                $"{libraryName} has no export '{export}': the installed version is too old for this backend (it needs CUDA 12 or newer).")
            {
                MissingLibrary = libraryName,
            };
        }

        return address;
    }

    /// <summary>File names to try for a library: versioned names first, then the unversioned development link.</summary>
    public static IReadOnlyList<string> Candidates(string linuxStem, IReadOnlyList<string> linuxVersions, IReadOnlyList<string> windowsNames)
    {
        if (OperatingSystem.IsWindows())
        {
            return windowsNames;
        }

        var names = new List<string>(linuxVersions.Count + 1);
        foreach (var version in linuxVersions)
        {
            names.Add($"{linuxStem}.so.{version}");
        }

        names.Add($"{linuxStem}.so");
        return names;
    }
}
