using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Gateway.Benchmarks;

/// <summary>PostgreSQL backend messages as a server sends them for a result set, and realistic row values.</summary>
internal static class WireFrames
{
    /// <summary>Five text columns of a typical application table: about 100 bytes per row.</summary>
    public static readonly string[] Columns = ["id", "customer", "created_at", "note", "status"];

    public static string[] Row(int i) =>
    [
        (100_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
        $"Customer {i % 977} Ltd",
        $"2025-03-{1 + i % 28:00} 10:{i % 60:00}:{i * 7 % 60:00}.123456+00",
        $"Order shipped in {1 + i % 9} parcels, ref {i * 31 % 10_000}",
        i % 3 == 0 ? "shipped" : "open",
    ];

    /// <summary>A DataRow message ('D') with <paramref name="values"/> as text.</summary>
    public static byte[] DataRow(string[] values)
    {
        var body = new ArrayBufferWriter<byte>();
        Span<byte> int16 = stackalloc byte[2];
        Span<byte> int32 = stackalloc byte[4];
        BinaryPrimitives.WriteInt16BigEndian(int16, (short)values.Length);
        body.Write(int16);
        foreach (var value in values)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            BinaryPrimitives.WriteInt32BigEndian(int32, bytes.Length);
            body.Write(int32);
            body.Write(bytes);
        }
        return Frame((byte)'D', body.WrittenSpan);
    }

    public static byte[] Frame(byte type, ReadOnlySpan<byte> body)
    {
        var frame = new byte[5 + body.Length];
        frame[0] = type;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), body.Length + 4);
        body.CopyTo(frame.AsSpan(5));
        return frame;
    }

    /// <summary><paramref name="rows"/> DataRows followed by CommandComplete and ReadyForQuery, back to back.</summary>
    public static byte[] ResultStream(int rows, out int messages)
    {
        var all = new ArrayBufferWriter<byte>();
        for (var i = 0; i < rows; i++)
            all.Write(DataRow(Row(i)));
        all.Write(Frame((byte)'C', Encoding.ASCII.GetBytes($"SELECT {rows}\0")));
        all.Write(Frame((byte)'Z', "I"u8));
        messages = rows + 2;
        return all.WrittenSpan.ToArray();
    }
}
