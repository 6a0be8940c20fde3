namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>Limits of the SQL analyser.</summary>
public sealed record SqlAnalyzerOptions
{
    /// <summary>Upper bound of <see cref="MaxTextBytes"/>: the parse stack it implies stays at 2 GB or less.</summary>
    public const int MaxTextBytesLimit = 16 * 1024 * 1024;

    /// <summary>
    /// Longest SQL text analysed, in UTF-8 bytes (at most <see cref="MaxTextBytesLimit"/>); a longer text is refused
    /// (parse error, fail closed). Texts over 8 KiB are parsed on a thread with a stack of 128 bytes per text byte.
    /// </summary>
    public int MaxTextBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// How many distinct texts the analysis cache keeps, and separately how many shapes (texts apart from their
    /// constants, <see cref="SqlShape"/>); 0 disables both.
    /// </summary>
    public int CacheEntries { get; init; } = 4096;

    /// <summary>Upper bound on the memory of all cached texts together (UTF-16 bytes); the same again for shape keys.</summary>
    public long CacheTextBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>Texts longer than this (in characters) are analysed every time rather than cached, by text or by shape.</summary>
    public int MaxCachedTextLength { get; init; } = 16 * 1024;
}
