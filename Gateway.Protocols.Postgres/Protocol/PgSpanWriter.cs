using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Gateway.Protocols.Postgres.Protocol;

/// <summary>
/// Writes one message whose size is known up front into a single span of an <see cref="IBufferWriter{T}"/>.
/// <see cref="Begin"/> checks the size and writes the header; <see cref="Commit"/> checks that exactly that many
/// bytes were written and advances the writer. Nothing reaches the writer if the size check fails.
/// </summary>
internal ref struct PgSpanWriter
{
    private readonly Span<byte> _span;
    private int _position;

    private PgSpanWriter(Span<byte> span)
    {
        _span = span;
        _position = 0;
    }

    /// <summary>A typed message: type byte, int32 length (body + 4), then the body.</summary>
    public static PgSpanWriter Begin(IBufferWriter<byte> writer, byte type, long bodyLength)
    {
        var length = CheckedLength(bodyLength + 4);
        var span = new PgSpanWriter(writer.GetSpan(length + 1)[..(length + 1)]);
        span.WriteByte(type);
        span.WriteInt32(length);
        return span;
    }

    /// <summary>An untyped startup-phase packet: int32 length (body + 4), then the body.</summary>
    public static PgSpanWriter BeginUntyped(IBufferWriter<byte> writer, long bodyLength)
    {
        var length = CheckedLength(bodyLength + 4);
        var span = new PgSpanWriter(writer.GetSpan(length)[..length]);
        span.WriteInt32(length);
        return span;
    }

    public void Commit(IBufferWriter<byte> writer)
    {
        if (_position != _span.Length)
            throw new InvalidOperationException($"message size mismatch: wrote {_position} of {_span.Length} bytes");
        writer.Advance(_position);
    }

    /// <summary>Overwrites the length field of a typed message whose body continues after <see cref="Commit"/>.</summary>
    public void PatchTypedLength(int length) => BinaryPrimitives.WriteInt32BigEndian(_span[1..], length);

    /// <summary>Copies bytes as they are (forwarding an untouched frame).</summary>
    public static void WriteRaw(IBufferWriter<byte> writer, in ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
            writer.Write(segment.Span);
    }

    public void WriteByte(byte value) => _span[_position++] = value;

    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_span[_position..], value);
        _position += 2;
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_span[_position..], value);
        _position += 4;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_span[_position..]);
        _position += bytes.Length;
    }

    public void WriteCString(string value)
    {
        _position += Encoding.UTF8.GetBytes(value, _span[_position..]);
        _span[_position++] = 0;
    }

    /// <summary>Bytes a string takes as a C string; refuses an embedded NUL, which would end it early on the wire.</summary>
    public static int CStringLength(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("a protocol string cannot contain NUL", nameof(value));
        return Encoding.UTF8.GetByteCount(value) + 1;
    }

    private static int CheckedLength(long length) =>
        length <= int.MaxValue
            ? (int)length
            : throw new PgProtocolException(PgProtocolViolation.MessageTooLarge, $"message of {length} bytes exceeds the int32 length field");
}
