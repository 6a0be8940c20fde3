namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// libpg_query lexes SQL as a server running with <c>standard_conforming_strings = on</c> and a client encoding that
/// keeps ASCII bytes as they are (UTF-8; SQL_ASCII, which the server takes as it comes; any encoding a server stores). A session that changes either makes the server read later
/// texts differently from the analyser — <c>'\'</c> ends a literal in one and not in the other, a GBK or SJIS byte
/// swallows the quote after it — so a statement hidden in what the analyser took for a literal would run unseen.
/// So changes are refused three ways: SET, <c>set_config</c>, ALTER ... SET and UPDATE of <c>pg_settings</c> are
/// refused by the analysis; a session whose server starts with other values is refused at startup; and a session
/// whose server reports a change anyway (a function that calls <c>set_config</c>) is ended (docs/postgres.md).
/// </summary>
internal static class LexerSettings
{
    private static readonly HashSet<string> TrueSpellings = new(StringComparer.OrdinalIgnoreCase)
    {
        "on", "true", "tru", "tr", "t", "yes", "ye", "y", "1",
    };

    public static bool Governs(string setting) => setting is "standard_conforming_strings" or "client_encoding";

    /// <summary>Refuses a value other than the one the analyser assumes; null means it is computed at run time.</summary>
    public static void EnsureSafe(string setting, string? value)
    {
        if (value is not null && IsSafe(setting, value.Trim()))
            return;
        throw new AnalysisRefusedException(
            $"setting {setting} to {(value is null ? "a computed value" : $"'{value}'")} would make the server read SQL differently from the gateway's analysis");
    }

    /// <summary>
    /// Whether the server could read <paramref name="text"/> differently if a function it calls had turned
    /// <c>standard_conforming_strings</c> off or switched to a client-only encoding. Such a change is seen only when
    /// the server reports it, after the statement, and a text the client pipelined behind it is already forwarded, so
    /// the analysis must hold for both readings. True when an ordinary <c>'...'</c> literal holds a backslash (the
    /// caller then analyses the text as read with the setting off too); <paramref name="refusal"/> is set when a
    /// backslash follows a non-ASCII character inside <c>'...'</c> or <c>E'...'</c>: in SJIS, BIG5, GBK, UHC,
    /// GB18030 or JOHAB that character's last byte and the backslash are one character, and the backslash is gone.
    /// Dollar quotes, comments and identifiers read alike either way; only texts with a backslash are lexed here.
    /// </summary>
    public static bool MayReadDifferently(NativeSqlText text, out string? refusal)
    {
        refusal = null;
        var bytes = text.Buffer.AsSpan(0, text.Length);
        if (!bytes.Contains((byte)'\\'))
            return false;

        var tokens = new List<SqlToken>();
        if (!PgQueryScanner.TryScan(text, tokens, out _))
            return false;   // the parser reports the text as unreadable
        var ordinaryWithBackslash = false;
        foreach (var token in tokens)
        {
            if (token.Token != SqlToken.StringConstant)
                continue;
            var first = bytes[token.Start];
            var ordinary = first == (byte)'\'';
            if (!ordinary && first is not ((byte)'E' or (byte)'e'))
                continue;   // $$...$$ reads backslashes alike either way
            var literal = bytes[token.Start..token.End];
            for (var at = literal.IndexOf((byte)'\\'); at >= 0; at = NextBackslash(literal, at))
            {
                if (literal[at - 1] >= 0x80)
                {
                    refusal = "a backslash right after a non-ASCII character in a string literal is read differently in some client encodings; put another character between them";
                    return true;
                }
                ordinaryWithBackslash |= ordinary;
            }
        }
        return ordinaryWithBackslash;

        static int NextBackslash(ReadOnlySpan<byte> literal, int at)
        {
            var next = literal[(at + 1)..].IndexOf((byte)'\\');
            return next < 0 ? -1 : at + 1 + next;
        }
    }

    /// <summary>
    /// <c>pg_settings</c> is a view whose update rule calls <c>set_config</c>, so <c>UPDATE pg_settings SET setting =
    /// 'off' WHERE name = 'standard_conforming_strings'</c> is a SET by another name. Its WHERE decides which setting
    /// it reaches, so every UPDATE naming the view is refused (SET changes any other setting).
    /// </summary>
    public static void EnsureNotSettingsUpdate(IReadOnlyList<string> tables)
    {
        foreach (var table in tables)
        {
            if (table is "pg_settings" or "pg_catalog.pg_settings" || table.EndsWith(".pg_catalog.pg_settings", StringComparison.Ordinal))
                throw new AnalysisRefusedException("an UPDATE of pg_settings can change how the server reads SQL; use SET for other settings");
        }
    }

    /// <summary>
    /// The first setting in a server's ParameterStatus reports that makes the server read SQL differently from the
    /// analyser, as text for the client and the log; null when the session reads SQL as the analyser does.
    /// </summary>
    public static string? Unsafe(IReadOnlyDictionary<string, string> reported)
    {
        foreach (var setting in (ReadOnlySpan<string>)["standard_conforming_strings", "client_encoding"])
        {
            if (reported.TryGetValue(setting, out var value) && Unsafe(setting, value) is { } unsafeSetting)
                return unsafeSetting;
        }
        return null;
    }

    /// <summary>
    /// The same for one report; null when <paramref name="setting"/> is not governed or is safe. The server reports an
    /// encoding by its canonical name, and every encoding a server can store keeps ASCII bytes as they are, so the
    /// server reads the quotes and backslashes the analyser reads: only the client-only encodings, whose characters can
    /// end in an ASCII byte, are refused here (a SET is held to UTF-8 and SQL_ASCII, <see cref="EnsureSafe"/>).
    /// </summary>
    public static string? Unsafe(string setting, string value) => setting switch
    {
        "standard_conforming_strings" when !TrueSpellings.Contains(value) => Describe(setting, value),
        "client_encoding" when NormalizeEncoding(value) is "sjis" or "shiftjis2004" or "big5" or "gbk" or "uhc" or "gb18030" or "johab"
            => Describe(setting, value),
        _ => null,
    };

    private static string Describe(string setting, string value) =>
        $"the target reports {setting} = '{value}', with which the server reads SQL differently from the gateway's analysis";

    private static bool IsSafe(string setting, string value) => setting switch
    {
        "standard_conforming_strings" => TrueSpellings.Contains(value),
        "client_encoding" => NormalizeEncoding(value) is "utf8" or "unicode" or "sqlascii",
        _ => true,
    };

    /// <summary>PostgreSQL compares encoding names ignoring case and punctuation (UTF-8 = utf8).</summary>
    private static string NormalizeEncoding(string name)
    {
        Span<char> buffer = stackalloc char[Math.Min(name.Length, 32)];
        var length = 0;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c))
                continue;
            if (length == buffer.Length)
                return name;
            buffer[length++] = char.ToLowerInvariant(c);
        }
        return new string(buffer[..length]);
    }
}
