using System.IO.MemoryMappedFiles;

namespace MiniGpt5.Tensors.Serialization;

/// <summary>
/// A whole file mapped read-only into the address space. Tensors view it in place (zero-copy); the operating
/// system pages the bytes in on first touch and can drop them again under memory pressure, so opening a
/// 10 GB checkpoint costs address space, not RAM. The mapping is released when the last reference goes.
/// </summary>
public sealed unsafe class MemoryMappedFileStorage : TensorStorage
{
    private MemoryMappedFile? _file;
    private MemoryMappedViewAccessor? _view;
    private byte* _pointer;

    private MemoryMappedFileStorage(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* pointer, long length)
    {
        FilePath = path;
        _file = file;
        _view = view;
        _pointer = pointer;
        ByteLength = length;
    }

    /// <summary>The mapped file.</summary>
    public string FilePath { get; }

    /// <inheritdoc />
    public override nint Pointer => (nint)_pointer;

    /// <inheritdoc />
    public override long ByteLength { get; }

    /// <inheritdoc />
    public override bool IsWritable => false;

    /// <summary>Maps <paramref name="path"/> read-only. An empty file cannot be mapped and is reported as such.</summary>
    public static MemoryMappedFileStorage Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        MemoryMappedFile? file = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            var length = stream.Length;
            if (length == 0)
            {
                throw new CheckpointFormatException(full, null, "the file is empty (0 bytes).");
            }

            file = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read,
                HandleInheritability.None, leaveOpen: false);
            view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            // The view starts at offset 0 of the file, so PointerOffset is 0; adding it keeps this right
            // should the view ever start elsewhere.
            pointer += view.PointerOffset;
            return new MemoryMappedFileStorage(full, file, view, pointer, length);
        }
        catch
        {
            view?.Dispose();
            if (file is not null)
            {
                file.Dispose();
            }
            else
            {
                stream.Dispose();
            }

            throw;
        }
    }

    /// <inheritdoc />
    protected override void Free()
    {
        _view?.SafeMemoryMappedViewHandle.ReleasePointer();
        _view?.Dispose();
        _file?.Dispose();
        _view = null;
        _file = null;
        _pointer = null;
    }
}
