using System.Buffers;
using System.Text;

namespace Gateway.Protocols.Postgres.Protocol;

/// <summary>
/// Bounds-checked reads over one message body. Every failure names the message and says how many bytes were
/// expected and how many were left; <see cref="EnsureEnd"/> makes trailing bytes an error. Byte results are
/// slices of the body (zero-copy); strings are decoded as strict UTF-8.
/// </summary>
public ref struct PgPayloadReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private SequenceReader<byte> _reader;
    private readonly string _message;

    /// <param name="message">The message's name for error text; pass a literal (no allocation).</param>
    public PgPayloadReader(ReadOnlySequence<byte> payload, string message)
    {
        _reader = new SequenceReader<byte>(payload);
        _message = message;
    }

    public readonly long Remaining => _reader.Remaining;

    public readonly bool End => _reader.End;

    /// <summary>Bytes read so far; pair with <see cref="SliceFrom"/> to capture a run of fields as one slice.</summary>
    public readonly long Consumed => _reader.Consumed;

    /// <summary>The bytes read since <paramref name="consumedBefore"/> (a value of <see cref="Consumed"/>).</summary>
    public readonly ReadOnlySequence<byte> SliceFrom(long consumedBefore) =>
        _reader.Sequence.Slice(consumedBefore, _reader.Consumed - consumedBefore);

    public byte ReadByte()
    {
        if (!_reader.TryRead(out var value))
            ThrowTruncated(1, "byte");
        return value;
    }

    public short ReadInt16()
    {
        if (!_reader.TryReadBigEndian(out short value))
            ThrowTruncated(2, "int16");
        return value;
    }

    public int ReadInt32()
    {
        if (!_reader.TryReadBigEndian(out int value))
            ThrowTruncated(4, "int32");
        return value;
    }

    public uint ReadUInt32() => unchecked((uint)ReadInt32());

    /// <summary>A count field that must lie in 0..<paramref name="max"/>.</summary>
    public short ReadCount(string what, int max = short.MaxValue)
    {
        var count = ReadInt16();
        if (count < 0 || count > max)
            PgProtocolException.Throw(PgProtocolViolation.InvalidCount, $"{_message}: {what} count {count} is outside 0..{max}");
        return count;
    }

    /// <summary>A format code: 0 (text) or 1 (binary).</summary>
    public short ReadFormatCode()
    {
        var code = ReadInt16();
        if (code is not (0 or 1))
            PgProtocolException.Throw(PgProtocolViolation.InvalidFormatCode, $"{_message}: format code {code}");
        return code;
    }

    public ReadOnlySequence<byte> ReadBytes(int length)
    {
        if (length < 0)
            PgProtocolException.Throw(PgProtocolViolation.InvalidValueLength, $"{_message}: length {length}");
        if (_reader.Remaining < length)
            ThrowTruncated(length, "bytes");
        var slice = _reader.UnreadSequence.Slice(0, length);
        _reader.Advance(length);
        return slice;
    }

    /// <summary>An int32 length then that many bytes; -1 is SQL NULL.</summary>
    public PgValue ReadValue()
    {
        var length = ReadInt32();
        if (length == -1)
            return PgValue.Null;
        if (length < -1)
            PgProtocolException.Throw(PgProtocolViolation.InvalidValueLength, $"{_message}: value length {length}");
        return new PgValue(ReadBytes(length));
    }

    public ReadOnlySequence<byte> ReadRemaining()
    {
        var rest = _reader.UnreadSequence;
        _reader.AdvanceToEnd();
        return rest;
    }

    /// <summary>A NUL-terminated string's bytes (terminator consumed, not included), at most <paramref name="maxBytes"/>.</summary>
    public ReadOnlySequence<byte> ReadCStringBytes(int maxBytes = int.MaxValue)
    {
        if (!_reader.TryReadTo(out ReadOnlySequence<byte> bytes, (byte)0, advancePastDelimiter: true))
            PgProtocolException.Throw(PgProtocolViolation.MissingTerminator, $"{_message}: no NUL in the last {_reader.Remaining} bytes");
        if (bytes.Length > maxBytes)
            PgProtocolException.Throw(PgProtocolViolation.StringTooLong, $"{_message}: string of {bytes.Length} bytes, limit is {maxBytes}");
        return bytes;
    }

    public string ReadCString(int maxBytes = int.MaxValue) => DecodeUtf8(ReadCStringBytes(maxBytes), _message);

    /// <summary>Throws <see cref="PgProtocolViolation.TrailingBytes"/> unless every byte was read.</summary>
    public readonly void EnsureEnd()
    {
        if (!_reader.End)
            PgProtocolException.Throw(PgProtocolViolation.TrailingBytes, $"{_message}: {_reader.Remaining} bytes after the last field");
    }

    public static string DecodeUtf8(in ReadOnlySequence<byte> bytes, string message)
    {
        if (bytes.IsEmpty)
            return "";
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            PgProtocolException.Throw(PgProtocolViolation.InvalidUtf8, $"{message}: string of {bytes.Length} bytes");
            return null;
        }
    }

    private readonly void ThrowTruncated(int expected, string what) =>
        PgProtocolException.Throw(PgProtocolViolation.Truncated, $"{_message}: expected {expected} bytes ({what}), had {_reader.Remaining}");
}
