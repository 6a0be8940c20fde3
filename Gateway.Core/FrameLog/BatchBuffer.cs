using System.Buffers;

namespace Gateway.Core.FrameLog;

/// <summary>
/// The writer's reusable batch buffer: records are serialised back to back and written with one syscall.
/// Unlike <see cref="ArrayBufferWriter{T}"/> it can be cut back, so a record that fails mid-batch leaves no trace.
/// </summary>
internal sealed class BatchBuffer : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[64 * 1024];

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, Length);

    public Span<byte> WrittenSpan => _buffer.AsSpan(0, Length);

    public void Clear() => Length = 0;

    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        Length = length;
    }

    public void Advance(int count) => Length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(Length);
    }

    /// <summary>Drops a buffer grown by an unusually large batch so one burst does not pin memory forever.</summary>
    public void ShrinkIfOversized(int keep)
    {
        if (_buffer.Length > keep && Length == 0)
            _buffer = new byte[keep];
    }

    private void Reserve(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 256);
        if (_buffer.Length - Length >= sizeHint)
            return;
        var size = Math.Max(_buffer.Length * 2, Length + sizeHint);
        Array.Resize(ref _buffer, size);
    }
}
