using System.Buffers;
using System.Buffers.Binary;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>
/// Parse ('P'): statement name, SQL text, int16 count and that many parameter type OIDs (0 = unspecified).
/// Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html (Parse)
/// </summary>
public readonly struct Parse
{
    private readonly ReadOnlySequence<byte> _parameterTypes;

    private Parse(string statementName, ReadOnlySequence<byte> sql, short parameterTypeCount, ReadOnlySequence<byte> parameterTypes)
    {
        StatementName = statementName;
        Sql = sql;
        ParameterTypeCount = parameterTypeCount;
        _parameterTypes = parameterTypes;
    }

    /// <summary>Empty for the unnamed statement.</summary>
    public string StatementName { get; }

    public ReadOnlySequence<byte> Sql { get; }

    public short ParameterTypeCount { get; }

    public string GetText() => PgPayloadReader.DecodeUtf8(Sql, nameof(Parse));

    public uint GetParameterType(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, (int)ParameterTypeCount);
        Span<byte> oid = stackalloc byte[4];
        _parameterTypes.Slice(index * 4, 4).CopyTo(oid);
        return BinaryPrimitives.ReadUInt32BigEndian(oid);
    }

    public static Parse Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(Parse));
        var name = reader.ReadCString();
        var sql = reader.ReadCStringBytes();
        var count = reader.ReadCount("parameter type");
        var types = reader.ReadBytes(count * 4);
        reader.EnsureEnd();
        return new Parse(name, sql, count, types);
    }
}
