using System.Buffers.Binary;
using System.Text;

namespace Gateway.Fuzz;

/// <summary>Builds protocol bytes for the seed corpus.</summary>
internal sealed class Wire
{
    private readonly List<byte> _bytes = [];

    public Wire Byte(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    public Wire Char(char value) => Byte((byte)value);

    public Wire Int16(short value)
    {
        var span = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(span, value);
        _bytes.AddRange(span);
        return this;
    }

    public Wire Int32(int value)
    {
        var span = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(span, value);
        _bytes.AddRange(span);
        return this;
    }

    public Wire CString(string value) => Text(value).Byte(0);

    public Wire Text(string value)
    {
        _bytes.AddRange(Encoding.UTF8.GetBytes(value));
        return this;
    }

    public Wire Value(string? value)
    {
        if (value is null)
            return Int32(-1);
        Int32(Encoding.UTF8.GetByteCount(value));
        return Text(value);
    }

    public Wire Bytes(params byte[] value)
    {
        _bytes.AddRange(value);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    public static byte[] Frame(char type, Wire body)
    {
        var bytes = body.ToArray();
        return new Wire().Char(type).Int32(bytes.Length + 4).Bytes(bytes).ToArray();
    }

    public static byte[] Startup(int code, Wire body)
    {
        var bytes = body.ToArray();
        return new Wire().Int32(bytes.Length + 8).Int32(code).Bytes(bytes).ToArray();
    }
}
