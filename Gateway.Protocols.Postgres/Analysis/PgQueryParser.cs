using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// One call of <c>pg_query_parse</c>: SQL text in, the JSON parse tree (copied into a pooled buffer so the
/// native result is freed before anyone reads it) or the parser's error out.
/// </summary>
internal static unsafe class PgQueryParser
{
    /// <summary>
    /// Parses <paramref name="sql"/>. On success <paramref name="tree"/> holds the JSON and must be disposed; on
    /// failure <paramref name="error"/> says why (a syntax error, a NUL, an oversized text).
    /// </summary>
    public static bool TryParse(string sql, int maxBytes, out ParseTreeJson tree, out string? error)
    {
        tree = default;
        if (!NativeSqlText.TryEncode(sql, maxBytes, out var text, out error))
            return false;

        using (text)
        {
            PgQueryNative.PgQueryParseResult result;
            fixed (byte* input = text.Buffer)
                result = PgQueryNative.Parse(input);

            try
            {
                if (result.Error is not null)
                {
                    error = DescribeError(result.Error);
                    return false;
                }
                if (result.ParseTree is null)
                {
                    error = "the SQL parser returned no parse tree";
                    return false;
                }

                var json = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(result.ParseTree);
                var buffer = ArrayPool<byte>.Shared.Rent(json.Length);
                json.CopyTo(buffer);
                tree = new ParseTreeJson(buffer, json.Length);
                return true;
            }
            finally
            {
                PgQueryNative.FreeParseResult(result);
            }
        }
    }

    internal static string DescribeError(PgQueryNative.PgQueryError* error)
    {
        var message = error->Message is null
            ? "the SQL parser failed"
            : Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(error->Message));
        return error->CursorPos > 0 ? $"{message} (at position {error->CursorPos})" : message;
    }
}

/// <summary>libpg_query's JSON parse tree in a pooled buffer; return it with <see cref="Dispose"/>.</summary>
internal readonly struct ParseTreeJson(byte[] buffer, int length) : IDisposable
{
    public ReadOnlyMemory<byte> Json => buffer.AsMemory(0, length);

    public void Dispose()
    {
        if (buffer is not null)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}
