using System.Buffers;
using System.Text;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// SQL text encoded as NUL-terminated UTF-8 in a pooled buffer, the form libpg_query reads. Texts holding a NUL
/// are refused (the server refuses them too, and a C parser would silently stop at the NUL), as are texts over
/// the byte cap, so the parser never sees unbounded input.
/// </summary>
internal readonly struct NativeSqlText : IDisposable
{
    private NativeSqlText(byte[] buffer, int length)
    {
        Buffer = buffer;
        Length = length;
    }

    /// <summary>The pooled buffer: <see cref="Length"/> bytes of UTF-8 followed by a NUL.</summary>
    public byte[] Buffer { get; }

    /// <summary>UTF-8 byte count, without the terminating NUL.</summary>
    public int Length { get; }

    /// <summary>Encodes <paramref name="sql"/>, or returns false with the reason it cannot be analysed.</summary>
    public static bool TryEncode(string sql, int maxBytes, out NativeSqlText text, out string? refusal)
    {
        text = default;
        if (sql.Contains('\0', StringComparison.Ordinal))
        {
            refusal = "statement text contains a NUL character";
            return false;
        }

        // Fast bound first: UTF-8 needs at most 3 bytes per UTF-16 unit, at least 1.
        if (sql.Length > maxBytes || (sql.Length > maxBytes / 3 && Encoding.UTF8.GetByteCount(sql) > maxBytes))
        {
            refusal = $"statement text exceeds the analysis limit of {maxBytes} bytes";
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(sql.Length) + 1);
        var length = Encoding.UTF8.GetBytes(sql, buffer);
        buffer[length] = 0;
        text = new NativeSqlText(buffer, length);
        refusal = null;
        return true;
    }

    public void Dispose()
    {
        if (Buffer is not null)
            ArrayPool<byte>.Shared.Return(Buffer);
    }
}
