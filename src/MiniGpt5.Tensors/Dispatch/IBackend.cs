namespace MiniGpt5.Tensors.Dispatch;

/// <summary>
/// A compute device driver (ggml-backend style): allocates storage on its device, moves bytes to and from the host,
/// and runs ops. <see cref="Ops"/> validates shapes and dtypes and allocates outputs before calling
/// <see cref="Execute"/>, so a backend only computes. Views never reach a backend.
/// </summary>
public interface IBackend
{
    /// <summary>The device this backend drives.</summary>
    Device Device { get; }

    /// <summary>A short name for messages ("cpu", "cpu-reference", "cuda").</summary>
    string Name { get; }

    /// <summary>Allocates <paramref name="byteLength"/> bytes on the device; zeroed when asked.</summary>
    TensorStorage Allocate(long byteLength, bool zeroed);

    /// <summary>Whether <see cref="Execute"/> handles this op with these dtypes and layouts.</summary>
    bool Supports(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes);

    /// <summary>Computes the op into <paramref name="outputs"/> (already allocated with the right shape and dtype;
    /// possibly strided when the caller passed an explicit output).</summary>
    void Execute(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes);

    /// <summary>Copies host bytes into device storage.</summary>
    void CopyFromHost(ReadOnlySpan<byte> source, TensorStorage destination, long destinationByteOffset);

    /// <summary>Copies device storage bytes to the host.</summary>
    void CopyToHost(TensorStorage source, long sourceByteOffset, Span<byte> destination);
}
