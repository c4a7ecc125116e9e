using System.Buffers.Binary;

namespace MiniGpt5.Storage.Tests;

/// <summary>
/// A forward-only, unseekable stream of <paramref name="length"/> deterministic pseudo-random bytes (xorshift64):
/// big uploads without holding the bytes, and the same bytes again for checking. Being unseekable forces the
/// block-upload path, as a network or pipe source would.
/// </summary>
internal sealed class PseudoRandomStream(long length, ulong seed) : Stream
{
    private ulong _state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;
    private long _position;
    private readonly byte[] _pending = new byte[8];
    private int _pendingOffset = 8;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        var i = 0;
        while (i < count && _pendingOffset < 8)
        {
            buffer[i++] = _pending[_pendingOffset++];
        }

        // Whole 8-byte words straight into the buffer; the tail goes through _pending.
        for (; i + 8 <= count; i += 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(buffer[i..], Next());
        }

        while (i < count)
        {
            if (_pendingOffset == 8)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(_pending, Next());
                _pendingOffset = 0;
            }

            buffer[i++] = _pending[_pendingOffset++];
        }

        _position += count;
        return count;
    }

    private ulong Next()
    {
        _state ^= _state << 13;
        _state ^= _state >> 7;
        _state ^= _state << 17;
        return _state;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer, offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
