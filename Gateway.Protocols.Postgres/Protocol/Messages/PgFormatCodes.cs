using System.Buffers;
using System.Buffers.Binary;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>
/// An int16 count and that many format codes (0 text, 1 binary), kept as a slice. By protocol convention a
/// count of 0 means "all text" and a count of 1 applies the single code to every column or parameter.
/// </summary>
public readonly struct PgFormatCodes
{
    private readonly ReadOnlySequence<byte> _codes;

    private PgFormatCodes(short count, ReadOnlySequence<byte> codes)
    {
        Count = count;
        _codes = codes;
    }

    public short Count { get; }

    /// <summary>The code that applies to item <paramref name="index"/>, following the 0/1/n rule.</summary>
    public short For(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (Count == 0)
            return 0;
        if (Count == 1)
            return Read(0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, (int)Count);
        return Read(index);
    }

    private short Read(int index)
    {
        Span<byte> code = stackalloc byte[2];
        _codes.Slice(index * 2, 2).CopyTo(code);
        return BinaryPrimitives.ReadInt16BigEndian(code);
    }

    /// <summary>Reads the count and the codes, checking each is 0 or 1.</summary>
    public static PgFormatCodes Read(ref PgPayloadReader reader, string what)
    {
        var count = reader.ReadCount(what);
        var codes = reader.ReadBytes(count * 2);
        var check = new PgPayloadReader(codes, what);
        for (var i = 0; i < count; i++)
            check.ReadFormatCode();
        return new PgFormatCodes(count, codes);
    }
}
