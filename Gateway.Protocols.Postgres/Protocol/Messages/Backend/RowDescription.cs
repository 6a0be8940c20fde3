using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>One column of a RowDescription.</summary>
public readonly record struct RowField(
    string Name,
    uint TableOid,
    short ColumnNumber,
    uint TypeOid,
    short TypeSize,
    int TypeModifier,
    short Format);

/// <summary>
/// RowDescription ('T'): int16 field count, then per field a name and six fixed fields (18 bytes).
/// Decoding validates every field once; enumerating decodes them again lazily, so forwarding untouched costs
/// no allocation. Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html (RowDescription)
/// </summary>
public readonly struct RowDescription
{
    /// <summary>PostgreSQL's MaxTupleAttributeNumber: no result can have more columns.</summary>
    public const int MaxColumns = 1664;

    private const int MaxNameBytes = 1024;
    private const int FixedFieldBytes = 18;

    private readonly ReadOnlySequence<byte> _fields;

    private RowDescription(short count, ReadOnlySequence<byte> fields)
    {
        FieldCount = count;
        _fields = fields;
    }

    public short FieldCount { get; }

    public Enumerator GetEnumerator() => new(_fields, FieldCount);

    public RowField[] ToArray()
    {
        var fields = new RowField[FieldCount];
        var i = 0;
        foreach (var field in this)
            fields[i++] = field;
        return fields;
    }

    public static RowDescription Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(RowDescription));
        var count = reader.ReadCount("field", MaxColumns);
        var start = reader.Consumed;
        for (var i = 0; i < count; i++)
        {
            reader.ReadCStringBytes(MaxNameBytes);
            reader.ReadBytes(FixedFieldBytes);
        }
        var fields = reader.SliceFrom(start);
        reader.EnsureEnd();
        // Names are decoded now only to reject invalid UTF-8 up front; enumeration decodes again.
        foreach (var _ in new RowDescription(count, fields))
        {
        }
        return new RowDescription(count, fields);
    }

    public ref struct Enumerator
    {
        private PgPayloadReader _reader;
        private int _left;

        internal Enumerator(ReadOnlySequence<byte> fields, int count)
        {
            _reader = new PgPayloadReader(fields, nameof(RowDescription));
            _left = count;
            Current = default;
        }

        public RowField Current { get; private set; }

        public bool MoveNext()
        {
            if (_left == 0)
                return false;
            _left--;
            Current = new RowField(
                _reader.ReadCString(MaxNameBytes),
                _reader.ReadUInt32(),
                _reader.ReadInt16(),
                _reader.ReadUInt32(),
                _reader.ReadInt16(),
                _reader.ReadInt32(),
                _reader.ReadInt16());
            return true;
        }
    }
}
