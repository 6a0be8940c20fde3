using System.Buffers;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// The shape of a SQL text: its tokens as PostgreSQL's own lexer (<c>pg_query_scan</c>) reads them, every token's
/// kind and text except that constants and comments keep only their kind. Clients that inline literals (pgbench -S,
/// ORMs without parameters, agents) send one shape with new constants each time; an analysis that read no constant
/// value (<see cref="SqlAnalysis.HoldsForShape"/>) holds for the whole shape.
/// </summary>
/// <remarks>
/// <para>Why a shared analysis is sound: the parser gets the same token kinds and the same semantic values of every
/// non-constant token (identifiers, keywords, operators, parameters), and the lexer settings that could make the
/// server read the tokens differently are pinned by <see cref="LexerSettings"/>. The grammar's actions read a
/// constant's value to copy it into a constant or option node, which the analysis reads only on the paths that set
/// <see cref="ParseTreeWalker.ReadConstants"/>, or to raise an error. Two places in PostgreSQL 15's grammar and
/// token filter do more, and the key keeps them apart:</para>
/// <list type="bullet">
/// <item><c>FLOAT(p)</c> (<c>opt_float</c>) names <c>float4</c> for p ≤ 24 and <c>float8</c> above, a name that
/// <c>TREAT(x AS FLOAT(p))</c> turns into a function call and that is an error above 53: the precision's digits are
/// part of the key.</item>
/// <item><c>UESCAPE '&lt;char&gt;'</c> chooses the escape character used to decode the <c>U&amp;"..."</c> identifier
/// or <c>U&amp;'...'</c> literal before it, so <c>U&amp;"d!0061ta" UESCAPE '!'</c> names the table <c>data</c> and
/// the same text with <c>'#'</c> does not: texts holding either Unicode form or UESCAPE have no shape.</item>
/// </list>
/// <para>Comments are kept as kinds because libpg_query's look-ahead for <c>NOT</c>, <c>NULLS</c> and <c>WITH</c>
/// sees them (<c>a NOT /**/ IN (1)</c> does not parse there), so where a comment stands changes the parse.</para>
/// <para>The key lists each token's kind, then for a non-constant its byte length and bytes, so no two token lists
/// share a key; it is at most three units per byte of text plus one per token.</para>
/// </remarks>
internal static class SqlShape
{
    /// <summary>
    /// The shape key of <paramref name="text"/>, or null when it has none: the lexer rejects the text, or it holds
    /// a Unicode-escaped identifier or literal (see remarks).
    /// </summary>
    public static string? Of(NativeSqlText text, List<SqlToken> scratch)
    {
        scratch.Clear();
        if (!PgQueryScanner.TryScan(text, scratch, out _))
            return null;
        return Of(text.Buffer.AsSpan(0, text.Length), scratch);
    }

    /// <summary>The shape key of a text already scanned into <paramref name="tokens"/>.</summary>
    internal static string? Of(ReadOnlySpan<byte> utf8, List<SqlToken> tokens)
    {
        var length = 0;
        foreach (var token in tokens)
        {
            if (token.Token is SqlToken.UnicodeIdentifier or SqlToken.UnicodeStringConstant or SqlToken.UnicodeEscapeKeyword)
                return null;
            if (token.End > utf8.Length)
                return null;
            length += 3 + (token.End - token.Start);
        }

        var key = ArrayPool<char>.Shared.Rent(length);
        try
        {
            var written = 0;
            int previous = 0, beforePrevious = 0; // kinds of the last two tokens that are not comments
            foreach (var token in tokens)
            {
                // Token numbers are below 1,000; each takes one UTF-16 unit.
                key[written++] = (char)token.Token;
                var valueLeftOut = token.IsComment
                    || (IsConstant(token.Token) && !IsFloatPrecision(token.Token, previous, beforePrevious));
                if (!token.IsComment)
                    (beforePrevious, previous) = (previous, token.Token);
                if (valueLeftOut)
                    continue;
                var bytes = utf8[token.Start..token.End];
                key[written++] = (char)(bytes.Length & 0xFFFF);
                key[written++] = (char)(bytes.Length >>> 16);
                foreach (var b in bytes)
                    key[written++] = (char)b;
            }
            return new string(key, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(key);
        }
    }

    /// <summary>The p of <c>FLOAT(p)</c>, whose value picks a type name (see remarks).</summary>
    private static bool IsFloatPrecision(int token, int previous, int beforePrevious)
        => token == SqlToken.IntegerConstant && previous == SqlToken.OpenParenthesis && beforePrevious == SqlToken.FloatKeyword;

    /// <summary>Literals whose value the key leaves out (but see <see cref="IsFloatPrecision"/>): numbers, '...', E'...', $tag$...$tag$, B'...', X'...'.</summary>
    private static bool IsConstant(int token)
        => token is SqlToken.IntegerConstant or SqlToken.FloatConstant or SqlToken.StringConstant or SqlToken.BitStringConstant or SqlToken.HexStringConstant;
}
