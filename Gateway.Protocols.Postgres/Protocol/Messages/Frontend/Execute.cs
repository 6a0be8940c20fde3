using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>
/// Execute ('E' from the client): portal name and a row limit (0 = no limit).
/// Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html (Execute)
/// </summary>
public readonly record struct Execute(string Portal, int MaxRows)
{
    public static Execute Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(Execute));
        var portal = reader.ReadCString();
        var maxRows = reader.ReadInt32();
        reader.EnsureEnd();
        return new Execute(portal, maxRows);
    }
}
