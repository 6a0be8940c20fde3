using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>
/// CopyData ('d', both directions): the body is COPY stream data.
/// Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html (CopyData)
/// </summary>
public readonly struct CopyData
{
    public CopyData(ReadOnlySequence<byte> data) => Data = data;

    public ReadOnlySequence<byte> Data { get; }

    public static CopyData Decode(ReadOnlySequence<byte> payload) => new(payload);
}

/// <summary>CopyFail ('f' from the client): the reason the client aborts COPY FROM STDIN.</summary>
public readonly record struct CopyFail(string Message)
{
    public static CopyFail Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(CopyFail));
        var message = reader.ReadCString();
        reader.EnsureEnd();
        return new CopyFail(message);
    }
}
