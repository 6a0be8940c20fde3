using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>What Describe and Close name: a prepared statement or a portal. Values are the wire bytes.</summary>
public enum PgObjectKind : byte
{
    Statement = (byte)'S',
    Portal = (byte)'P',
}

/// <summary>
/// Describe ('D'): 'S' or 'P', then a name (empty = unnamed).
/// Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html (Describe)
/// </summary>
public readonly record struct Describe(PgObjectKind Kind, string Name)
{
    public static Describe Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(Describe));
        var kind = PgObjectKinds.Read(ref reader, nameof(Describe));
        var name = reader.ReadCString();
        reader.EnsureEnd();
        return new Describe(kind, name);
    }
}

/// <summary>
/// Close ('C' from the client): 'S' or 'P', then a name (empty = unnamed).
/// Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html (Close)
/// </summary>
public readonly record struct Close(PgObjectKind Kind, string Name)
{
    public static Close Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(Close));
        var kind = PgObjectKinds.Read(ref reader, nameof(Close));
        var name = reader.ReadCString();
        reader.EnsureEnd();
        return new Close(kind, name);
    }
}

internal static class PgObjectKinds
{
    public static PgObjectKind Read(ref PgPayloadReader reader, string message)
    {
        var kind = reader.ReadByte();
        if (kind is not ((byte)'S' or (byte)'P'))
            PgProtocolException.Throw(PgProtocolViolation.InvalidFieldValue, $"{message}: target {PgMessageReader.TypeText(kind)} is neither 'S' nor 'P'");
        return (PgObjectKind)kind;
    }
}
