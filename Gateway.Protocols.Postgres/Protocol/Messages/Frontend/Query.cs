using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>
/// Query ('Q'): simple-protocol SQL text, possibly several statements.
/// Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html (Query)
/// </summary>
public readonly struct Query
{
    public Query(ReadOnlySequence<byte> sql) => Sql = sql;

    /// <summary>The SQL text's bytes (no terminator), a slice of the frame.</summary>
    public ReadOnlySequence<byte> Sql { get; }

    /// <summary>Decodes <see cref="Sql"/> as UTF-8 (allocates).</summary>
    public string GetText() => PgPayloadReader.DecodeUtf8(Sql, nameof(Query));

    public static Query Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(Query));
        var sql = reader.ReadCStringBytes();
        reader.EnsureEnd();
        return new Query(sql);
    }
}
