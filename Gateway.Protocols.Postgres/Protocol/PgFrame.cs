using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol;

/// <summary>
/// One typed message as it sits in the receive buffer: a type byte and an int32 length that counts itself.
/// Both sequences are slices of that buffer (zero-copy), valid until the reader is advanced past them.
/// </summary>
public readonly struct PgFrame
{
    public PgFrame(byte type, ReadOnlySequence<byte> raw)
    {
        Type = type;
        Raw = raw;
        Payload = raw.Slice(PgMessageReader.HeaderLength);
    }

    /// <summary>The type byte. Its meaning depends on the direction: see <see cref="Frontend"/> and <see cref="Backend"/>.</summary>
    public byte Type { get; }

    /// <summary>The message body after the 5-byte header.</summary>
    public ReadOnlySequence<byte> Payload { get; }

    /// <summary>The whole frame, header included, for forwarding untouched.</summary>
    public ReadOnlySequence<byte> Raw { get; }

    public FrontendMessageType Frontend => (FrontendMessageType)Type;

    public BackendMessageType Backend => (BackendMessageType)Type;

    /// <summary>Bytes on the wire, header included.</summary>
    public int Length => (int)Raw.Length;

    public override string ToString() => $"'{(char)Type}' ({Payload.Length} bytes)";
}

/// <summary>
/// One untyped startup-phase packet: an int32 length that counts itself, then an int32 request code.
/// <see cref="Payload"/> follows the code; <see cref="Raw"/> is the whole packet.
/// </summary>
public readonly struct PgStartupFrame
{
    public PgStartupFrame(StartupRequestKind kind, int code, ReadOnlySequence<byte> raw)
    {
        Kind = kind;
        Code = code;
        Raw = raw;
        Payload = raw.Slice(PgMessageReader.StartupHeaderLength);
    }

    public StartupRequestKind Kind { get; }

    /// <summary>The request code; for <see cref="StartupRequestKind.Startup"/> the protocol version.</summary>
    public int Code { get; }

    public ReadOnlySequence<byte> Payload { get; }

    public ReadOnlySequence<byte> Raw { get; }

    public int ProtocolMajorVersion => Code >>> 16;

    public int ProtocolMinorVersion => Code & 0xFFFF;

    public override string ToString() => $"{Kind} ({Payload.Length} bytes)";
}
