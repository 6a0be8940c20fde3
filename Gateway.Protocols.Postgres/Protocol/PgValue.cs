using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol;

/// <summary>A column or parameter value on the wire: SQL NULL (length -1) or a slice of bytes.</summary>
public readonly struct PgValue
{
    public PgValue(ReadOnlySequence<byte> bytes)
    {
        Bytes = bytes;
        IsNull = false;
    }

    private PgValue(bool isNull)
    {
        Bytes = ReadOnlySequence<byte>.Empty;
        IsNull = isNull;
    }

    public static PgValue Null { get; } = new(isNull: true);

    public bool IsNull { get; }

    /// <summary>The value's bytes; empty for NULL.</summary>
    public ReadOnlySequence<byte> Bytes { get; }

    /// <summary>Bytes on the wire: the int32 length plus the value.</summary>
    public long WireLength => 4 + (IsNull ? 0 : Bytes.Length);

    public static PgValue From(ReadOnlyMemory<byte> bytes) => new(new ReadOnlySequence<byte>(bytes));

    public override string ToString() => IsNull ? "NULL" : $"{Bytes.Length} bytes";
}
