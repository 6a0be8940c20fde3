namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// libpg_query lexes SQL as a server running with <c>standard_conforming_strings = on</c> and a UTF-8 client
/// encoding. A session that changes either makes the server read later texts differently from the analyser —
/// <c>'\'</c> ends a literal in one and not in the other, a GBK or SJIS byte swallows the quote after it — so a
/// statement hidden in what the analyser took for a literal would run unseen. Changes to these settings are
/// refused here; the protocol layer should also watch the server's ParameterStatus reports for them.
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

    private static bool IsSafe(string setting, string value) => setting switch
    {
        "standard_conforming_strings" => TrueSpellings.Contains(value),
        "client_encoding" => NormalizeEncoding(value) is "utf8" or "unicode",
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
