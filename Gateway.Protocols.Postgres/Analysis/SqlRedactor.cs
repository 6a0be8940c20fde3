using System.Text;
using Gateway.Core.Policy;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// Masks secrets in SQL text before it is recorded (frame log, logs): the text as sent is still what is
/// forwarded. Literal boundaries come from PostgreSQL's own lexer, so every quoting form is found exactly.
/// </summary>
/// <remarks>
/// A string literal is replaced by <see cref="Mask"/> when
/// <list type="bullet">
/// <item>the command holds a role statement (CREATE/ALTER ROLE/USER ... PASSWORD): every literal is masked;</item>
/// <item>it follows a name that says it is secret — <c>PASSWORD '...'</c>, <c>OPTIONS (password '...',
/// sslpassword '...', aws_secret_access_key '...')</c> in CREATE/ALTER USER MAPPING, SERVER, FOREIGN DATA
/// WRAPPER and FOREIGN TABLE — optionally across <c>=</c> or <c>TO</c>;</item>
/// <item>it reads like a connection string carrying a password (<c>'host=... password=...'</c>, as given to
/// CREATE SUBSCRIPTION or dblink) or a URI with user information (<c>'postgresql://user:pw@host'</c>).</item>
/// </list>
/// A literal continued on the next line (<c>'abc'</c> newline <c>'def'</c>) is masked with its continuation.
/// A text the lexer rejects is cut after the first secret word.
/// </remarks>
public static class SqlRedactor
{
    public const string Mask = "'***'";

    /// <summary>Texts longer than this are not scanned; they are cut like unscannable ones.</summary>
    private const int MaxScannedBytes = 16 * 1024 * 1024;

    private static readonly string[] SecretWords =
        ["password", "passwd", "secret", "token", "credential", "api_key", "apikey", "private_key"];

    /// <summary>Returns <paramref name="sql"/> with secret literals masked; the same instance when nothing is secret.</summary>
    public static string Redact(string sql, Command analysis)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(analysis);

        var maskAllLiterals = HoldsRoleStatement(analysis);
        if (!maskAllLiterals && IndexOfSecretWord(sql, out _) < 0)
            return sql;

        if (!NativeSqlText.TryEncode(sql, MaxScannedBytes, out var text, out _))
            return CutAfterSecret(sql);
        using (text)
        {
            var tokens = new List<SqlToken>();
            if (!PgQueryScanner.TryScan(text, tokens, out _))
                return CutAfterSecret(sql);

            var utf8 = text.Buffer.AsSpan(0, text.Length);
            RepairUnicodeTokenEnds(utf8, tokens);
            var masked = FindSecretLiterals(utf8, tokens, maskAllLiterals);
            return masked.Count == 0 ? sql : Replace(utf8, tokens, masked);
        }
    }

    private static bool HoldsRoleStatement(Command analysis)
    {
        foreach (var statement in analysis.Statements)
        {
            if (statement.Kind == StatementKinds.Role)
                return true;
        }
        return false;
    }

    /// <summary>Indices (into <paramref name="tokens"/>) of the literals to mask, in order.</summary>
    private static List<int> FindSecretLiterals(ReadOnlySpan<byte> utf8, List<SqlToken> tokens, bool maskAllLiterals)
    {
        var masked = new List<int>();
        var previousName = -1;     // the last name token, while only '=' / TO / comments followed it
        var continuing = false;    // the previous significant token was a masked literal
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.IsComment)
                continue;

            if (token.IsStringConstant)
            {
                var secret = maskAllLiterals
                    || continuing
                    || (previousName >= 0 && IsSecretName(Text(utf8, tokens[previousName])))
                    || LooksLikeCredentials(Text(utf8, token));
                if (secret)
                    masked.Add(i);
                continuing = secret;
                previousName = -1;
                continue;
            }

            continuing = false;
            if (token.IsName && token.Token != SqlToken.ToKeyword)
                previousName = i;
            else if (token.Token is not (SqlToken.EqualsSign or SqlToken.ToKeyword))
                previousName = -1;
        }
        return masked;
    }

    /// <summary>
    /// libpg_query 15-4 reports a wrong end for U&amp;'...' and U&amp;"..." tokens (the lexer returns them through a
    /// look-ahead path that does not set the length). Such a token ends where the next one starts, less the
    /// whitespace between them.
    /// </summary>
    private static void RepairUnicodeTokenEnds(ReadOnlySpan<byte> utf8, List<SqlToken> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Token is not (SqlToken.UnicodeStringConstant or SqlToken.UnicodeIdentifier))
                continue;
            var end = i + 1 < tokens.Count ? tokens[i + 1].Start : utf8.Length;
            while (end > token.Start && utf8[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f')
                end--;
            tokens[i] = token with { End = end };
        }
    }

    private static string Text(ReadOnlySpan<byte> utf8, SqlToken token) => Encoding.UTF8.GetString(utf8[token.Start..token.End]);

    private static bool IsSecretName(string name) => IndexOfSecretWord(name, out _) >= 0;

    /// <summary>A conninfo string with a password, or a URI carrying user information.</summary>
    private static bool LooksLikeCredentials(string literal)
    {
        var at = literal.IndexOf("password", StringComparison.OrdinalIgnoreCase);
        if (at >= 0)
        {
            var rest = literal.AsSpan(at + "password".Length).TrimStart();
            if (rest.StartsWith('='))
                return true;
        }
        var scheme = literal.IndexOf("://", StringComparison.Ordinal);
        return scheme >= 0 && literal.IndexOf('@', scheme) > 0;
    }

    private static string Replace(ReadOnlySpan<byte> utf8, List<SqlToken> tokens, List<int> masked)
    {
        var output = new StringBuilder(utf8.Length);
        var position = 0;
        foreach (var index in masked)
        {
            var token = tokens[index];
            output.Append(Encoding.UTF8.GetString(utf8[position..token.Start]));
            output.Append(Mask);
            position = token.End;
        }
        output.Append(Encoding.UTF8.GetString(utf8[position..]));
        return output.ToString();
    }

    /// <summary>For text the lexer cannot read: keep what precedes the first secret word, mask the rest.</summary>
    private static string CutAfterSecret(string sql)
    {
        var at = IndexOfSecretWord(sql, out var length);
        return at < 0 ? sql : string.Concat(sql.AsSpan(0, at + length), " ***");
    }

    private static int IndexOfSecretWord(string text, out int length)
    {
        // One vectorised pass for every command recorded (most hold no secret word), instead of one per word.
        length = 0;
        var first = text.AsSpan().IndexOfAny(SecretWordSearch);
        if (first < 0)
            return -1;
        foreach (var word in SecretWords)
        {
            if (text.AsSpan(first).StartsWith(word, StringComparison.OrdinalIgnoreCase))
            {
                length = word.Length;
                break;
            }
        }
        return first;
    }

    private static readonly System.Buffers.SearchValues<string> SecretWordSearch =
        System.Buffers.SearchValues.Create(SecretWords, StringComparison.OrdinalIgnoreCase);
}
