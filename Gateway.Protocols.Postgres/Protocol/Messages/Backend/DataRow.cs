using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>
/// DataRow ('D'): int16 column count, then per column an int32 length (-1 = NULL) and the bytes. Values are
/// slices of the frame; nothing is copied. Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html (DataRow)
/// </summary>
public readonly struct DataRow
{
    private DataRow(PgValueList values) => Values = values;

    public short ColumnCount => Values.Count;

    public PgValueList Values { get; }

    public PgValueList.Enumerator GetEnumerator() => Values.GetEnumerator();

    public static DataRow Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(DataRow));
        var count = reader.ReadCount("column", RowDescription.MaxColumns);
        var values = PgValueList.Read(ref reader, count);
        reader.EnsureEnd();
        return new DataRow(values);
    }
}
