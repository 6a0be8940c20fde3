using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Gateway.Tests.Postgres.Protocol;

/// <summary>Builds PostgreSQL wire bytes by hand for byte-array test cases.</summary>
internal sealed class WireBytes
{
    private readonly List<byte> _bytes = [];

    public WireBytes Byte(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    public WireBytes Char(char value) => Byte((byte)value);

    public WireBytes Int16(short value)
    {
        Span<byte> span = stackalloc byte[2];
        BinaryPrimitives.WriteInt16BigEndian(span, value);
        _bytes.AddRange(span.ToArray());
        return this;
    }

    public WireBytes Int32(int value)
    {
        Span<byte> span = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(span, value);
        _bytes.AddRange(span.ToArray());
        return this;
    }

    public WireBytes UInt32(uint value) => Int32(unchecked((int)value));

    public WireBytes CString(string value)
    {
        _bytes.AddRange(Encoding.UTF8.GetBytes(value));
        _bytes.Add(0);
        return this;
    }

    public WireBytes Bytes(params byte[] value)
    {
        _bytes.AddRange(value);
        return this;
    }

    public WireBytes Text(string value) => Bytes(Encoding.UTF8.GetBytes(value));

    /// <summary>int32 length then the bytes (or -1 for null).</summary>
    public WireBytes Value(string? value)
    {
        if (value is null)
            return Int32(-1);
        var bytes = Encoding.UTF8.GetBytes(value);
        Int32(bytes.Length);
        return Bytes(bytes);
    }

    public byte[] ToArray() => [.. _bytes];

    public ReadOnlySequence<byte> ToSequence() => new(ToArray());

    /// <summary>A typed frame: type, int32 length (body + 4), body.</summary>
    public static byte[] Frame(char type, WireBytes body) => Frame(type, body.ToArray());

    public static byte[] Frame(char type, byte[] body) =>
        new WireBytes().Char(type).Int32(body.Length + 4).Bytes(body).ToArray();

    /// <summary>An untyped startup packet: int32 length (body + 8 incl. code), code, body.</summary>
    public static byte[] Startup(int code, WireBytes body)
    {
        var bytes = body.ToArray();
        return new WireBytes().Int32(bytes.Length + 8).Int32(code).Bytes(bytes).ToArray();
    }

    public static string Utf8(in ReadOnlySequence<byte> bytes) => Encoding.UTF8.GetString(bytes.ToArray());

    /// <summary>Splits bytes into a multi-segment sequence, one segment per <paramref name="segmentLength"/> bytes.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes, int segmentLength) =>
        Gateway.Fuzz.Targets.SegmentedSequence.Create(bytes, segmentLength);
}
