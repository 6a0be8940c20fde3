using System.Runtime.InteropServices;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// The PostgreSQL lexer through <c>pg_query_scan</c>: exact token boundaries of string literals in every form
/// ('...', E'...', U&amp;'...', $tag$...$tag$), which no hand-written scanner should be trusted to find.
/// </summary>
internal static unsafe class PgQueryScanner
{
    /// <summary>Scans the encoded text into <paramref name="tokens"/>; false with the lexer's error otherwise.</summary>
    public static bool TryScan(NativeSqlText text, List<SqlToken> tokens, out string? error)
    {
        PgQueryNative.PgQueryScanResult result;
        fixed (byte* input = text.Buffer)
            result = PgQueryNative.Scan(input);
        try
        {
            if (result.Error is not null)
            {
                error = PgQueryParser.DescribeError(result.Error);
                return false;
            }
            var protobuf = new ReadOnlySpan<byte>(result.Tokens.Data, checked((int)result.Tokens.Length));
            if (!ScanResultReader.TryRead(protobuf, tokens))
            {
                error = "the SQL lexer returned an unreadable token list";
                return false;
            }
            error = null;
            return true;
        }
        finally
        {
            PgQueryNative.FreeScanResult(result);
        }
    }
}
