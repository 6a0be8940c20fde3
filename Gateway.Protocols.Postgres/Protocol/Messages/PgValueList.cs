using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>
/// A count of int32-length-prefixed values (length -1 = NULL) kept as one validated slice. Enumerating
/// yields each value as a slice of the frame without copying; used by DataRow, Bind and FunctionCall.
/// </summary>
public readonly struct PgValueList
{
    private readonly ReadOnlySequence<byte> _values;

    private PgValueList(short count, ReadOnlySequence<byte> values)
    {
        Count = count;
        _values = values;
    }

    public short Count { get; }

    /// <summary>The values as they sit on the wire (lengths included).</summary>
    public ReadOnlySequence<byte> WireBytes => _values;

    public Enumerator GetEnumerator() => new(_values, Count);

    /// <summary>Copies the value slices (not the bytes) into <paramref name="destination"/>, e.g. a reused array for a masker.</summary>
    public void CopyTo(Span<PgValue> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, (int)Count);
        var i = 0;
        foreach (var value in this)
            destination[i++] = value;
    }

    /// <summary>Reads <paramref name="count"/> values from <paramref name="reader"/>, checking every length.</summary>
    public static PgValueList Read(ref PgPayloadReader reader, short count)
    {
        var start = reader.Consumed;
        for (var i = 0; i < count; i++)
            reader.ReadValue();
        return new PgValueList(count, reader.SliceFrom(start));
    }

    /// <summary>Walks a validated value slice.</summary>
    public ref struct Enumerator
    {
        private PgPayloadReader _reader;
        private int _left;

        internal Enumerator(ReadOnlySequence<byte> values, int count)
        {
            _reader = new PgPayloadReader(values, "value list");
            _left = count;
            Current = default;
        }

        public PgValue Current { get; private set; }

        public bool MoveNext()
        {
            if (_left == 0)
                return false;
            _left--;
            Current = _reader.ReadValue();
            return true;
        }
    }
}
