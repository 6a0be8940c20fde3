using System.Buffers;
using System.Buffers.Binary;

namespace Gateway.Protocols.Postgres.Protocol;

/// <summary>
/// Splits a byte stream into PostgreSQL frames. <c>false</c> means "need more bytes" and consumes nothing;
/// a malformed header throws <see cref="PgProtocolException"/> as soon as the header is visible, before any of
/// the declared body is buffered. Spec: https://www.postgresql.org/docs/15/protocol-overview.html#PROTOCOL-MESSAGE-CONCEPTS
/// </summary>
public static class PgMessageReader
{
    /// <summary>Type byte + int32 length.</summary>
    public const int HeaderLength = 5;

    /// <summary>int32 length + int32 request code.</summary>
    public const int StartupHeaderLength = 8;

    /// <summary>PostgreSQL's MAX_STARTUP_PACKET_LENGTH.</summary>
    public const int MaxStartupPacketLength = 10000;

    public const int SslRequestLength = 8;
    public const int CancelRequestLength = 16;

    /// <summary>Reads one typed message.</summary>
    /// <param name="maxLength">Largest accepted value of the length field (body + 4); at least 4.</param>
    public static bool TryReadFrame(ref SequenceReader<byte> reader, int maxLength, out PgFrame frame)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 4);
        frame = default;
        Span<byte> header = stackalloc byte[HeaderLength];
        if (!reader.TryCopyTo(header))
            return false;

        var type = header[0];
        var length = BinaryPrimitives.ReadInt32BigEndian(header[1..]);
        if (length < 4)
            PgProtocolException.Throw(PgProtocolViolation.MessageLengthInvalid, $"message {TypeText(type)} declares length {length}");
        if (length > maxLength)
            PgProtocolException.Throw(PgProtocolViolation.MessageTooLarge, $"message {TypeText(type)} declares length {length}, limit is {maxLength}");

        var total = 1L + length;
        if (reader.Remaining < total)
            return false;

        var raw = reader.UnreadSequence.Slice(0, total);
        reader.Advance(total);
        frame = new PgFrame(type, raw);
        return true;
    }

    /// <summary>
    /// A type byte for error text: <c>'Q'</c> when printable, else <c>0x00</c>. The byte comes from the peer, and a
    /// NUL or control character must not reach an ErrorResponse (a NUL cannot be written in a protocol string).
    /// </summary>
    public static string TypeText(byte type) => type is > 0x20 and < 0x7F ? $"'{(char)type}'" : $"0x{type:x2}";

    /// <summary>Reads one startup-phase packet (StartupMessage, SSLRequest, GSSENCRequest or CancelRequest).</summary>
    public static bool TryReadStartupFrame(ref SequenceReader<byte> reader, out PgStartupFrame frame)
    {
        frame = default;
        Span<byte> header = stackalloc byte[StartupHeaderLength];
        if (!reader.TryCopyTo(header[..4]))
            return false;

        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length < StartupHeaderLength)
            PgProtocolException.Throw(PgProtocolViolation.StartupLengthInvalid, $"startup packet declares length {length}");
        if (length > MaxStartupPacketLength)
            PgProtocolException.Throw(PgProtocolViolation.StartupTooLarge, $"startup packet declares length {length}, limit is {MaxStartupPacketLength}");
        if (!reader.TryCopyTo(header))
            return false;

        var code = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        var kind = Classify(code, length);
        if (reader.Remaining < length)
            return false;

        var raw = reader.UnreadSequence.Slice(0, length);
        reader.Advance(length);
        frame = new PgStartupFrame(kind, code, raw);
        return true;
    }

    private static StartupRequestKind Classify(int code, int length)
    {
        switch (code)
        {
            case StartupRequestCodes.SslRequest or StartupRequestCodes.GssEncRequest:
                if (length != SslRequestLength)
                    PgProtocolException.Throw(PgProtocolViolation.SslRequestLengthInvalid, $"encryption request declares length {length}, expected {SslRequestLength}");
                return code == StartupRequestCodes.SslRequest ? StartupRequestKind.SslRequest : StartupRequestKind.GssEncRequest;
            case StartupRequestCodes.CancelRequest:
                if (length != CancelRequestLength)
                    PgProtocolException.Throw(PgProtocolViolation.CancelRequestLengthInvalid, $"cancel request declares length {length}, expected {CancelRequestLength}");
                return StartupRequestKind.CancelRequest;
            default:
                if (code >>> 16 != StartupRequestCodes.ProtocolMajorVersion3)
                    PgProtocolException.Throw(PgProtocolViolation.UnsupportedProtocolVersion, $"protocol {code >>> 16}.{code & 0xFFFF} (server supports 3.0)");
                return StartupRequestKind.Startup;
        }
    }
}
