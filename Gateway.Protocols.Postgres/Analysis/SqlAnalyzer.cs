using System.Text.Json;
using Gateway.Core.Policy;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// Turns PostgreSQL SQL text into a protocol-neutral <see cref="Command"/> using the server's own grammar
/// (libpg_query). This is the gateway's SQL security boundary: whatever cannot be parsed or analysed with
/// certainty comes back with <see cref="Command.ParseError"/> set, and is denied.
/// </summary>
/// <remarks>
/// Thread-safe: one instance serves every session. libpg_query keeps its state per thread; the cache locks.
/// </remarks>
public sealed class SqlAnalyzer
{
    public const string Protocol = "postgres";

    private readonly SqlAnalyzerOptions options;
    private readonly AnalysisCache cache;
    private readonly AnalysisCache shapes;
    private readonly ShapeHint hints;

    /// <summary>Token scratch of the shape lookup, one per thread (sessions analyse on many threads at once).</summary>
    [ThreadStatic]
    private static List<SqlToken>? tokenScratch;

    private const int MaxKeptScratchTokens = 4096;

    public SqlAnalyzer(SqlAnalyzerOptions? options = null)
    {
        this.options = options ?? new SqlAnalyzerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.MaxTextBytes, 64, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(this.options.MaxTextBytes, SqlAnalyzerOptions.MaxTextBytesLimit, nameof(options));
        cache = new AnalysisCache(this.options.CacheEntries, this.options.CacheTextBytes, this.options.MaxCachedTextLength);
        // Shape keys are about the texts' size (SqlShape), so the same bounds hold them. The hint is their doorkeeper.
        shapes = new AnalysisCache(this.options.CacheEntries, this.options.CacheTextBytes, this.options.MaxCachedTextLength, admitOnSecondSighting: false);
        hints = new ShapeHint(this.options.CacheEntries);
        EnsureParserWorks();
    }

    /// <summary>
    /// Fails at startup, not on the first command, when libpg_query is missing or of another major version.
    /// </summary>
    private static void EnsureParserWorks()
    {
        var probe = AnalyzeText("SELECT 1", 64);
        if (probe.ParseError || probe.Statements is not [{ Kind: StatementKinds.Select }])
            throw new InvalidOperationException($"libpg_query cannot be used for SQL analysis: {probe.ErrorMessage ?? "unexpected analysis of SELECT 1"}");
    }

    /// <summary>Number of texts currently cached (for metrics and tests).</summary>
    public int CachedTexts => cache.Count;

    /// <summary>Number of shapes currently cached (for metrics and tests).</summary>
    public int CachedShapes => shapes.Count;

    /// <summary>Analyses <paramref name="sql"/>: every statement, nested ones included, with its facts.</summary>
    public Command Analyze(string sql, CommandOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(sql);
        if (!cache.TryGet(sql, out var analysis))
        {
            analysis = AnalyzeUncached(sql);
            cache.Add(sql, analysis);
        }

        return new Command
        {
            Protocol = Protocol,
            Origin = origin,
            Text = sql,
            Statements = analysis.Statements,
            ParseError = analysis.ParseError,
            ParseErrorMessage = analysis.ErrorMessage,
        };
    }

    /// <summary>
    /// A text not cached as such: its shape's analysis when one is cached (the lexer's scan costs about a third of
    /// a parse and walk), otherwise a parse and walk, whose result is offered to the shape cache. A text whose
    /// <see cref="ShapeHint"/> is new skips the scan: most such texts are one-offs.
    /// </summary>
    private SqlAnalysis AnalyzeUncached(string sql)
    {
        if (options.CacheEntries <= 0 || sql.Length > options.MaxCachedTextLength || !hints.SeenBefore(sql))
            return AnalyzeText(sql, options.MaxTextBytes);
        if (!NativeSqlText.TryEncode(sql, options.MaxTextBytes, out var text, out var refusal))
            return SqlAnalysis.Failed(refusal!);

        using (text)
        {
            // A shape leaves the constants out, and with them what decides whether the text reads alike both ways.
            if (LexerSettings.MayReadDifferently(text, out _))
                return AnalyzeText(text, options.MaxTextBytes);
            var tokens = tokenScratch ??= [];
            var shape = SqlShape.Of(text, tokens);
            if (tokens.Capacity > MaxKeptScratchTokens)
                tokenScratch = null;   // a rare long text: do not keep its token list for the thread's lifetime
            if (shape is not null && shapes.TryGet(shape, out var shared))
                return shared;

            var analysis = AnalyzeText(text, options.MaxTextBytes);
            if (shape is not null && analysis.HoldsForShape)
                shapes.Add(shape, analysis);
            return analysis;
        }
    }

    /// <summary>Analyses one text without the caches. Never throws for any text: what cannot be read is refused.</summary>
    internal static SqlAnalysis AnalyzeText(string sql, int maxTextBytes)
    {
        if (!NativeSqlText.TryEncode(sql, maxTextBytes, out var text, out var refusal))
            return SqlAnalysis.Failed(refusal!);
        using (text)
            return AnalyzeText(text, maxTextBytes);
    }

    /// <summary>
    /// The analysis, if the server reads the text alike with <c>standard_conforming_strings</c> on and off
    /// (<see cref="LexerSettings.MayReadDifferently"/>): the reading with it off must not parse, or give the same facts.
    /// </summary>
    private static SqlAnalysis AnalyzeText(NativeSqlText text, int maxTextBytes)
    {
        var analysis = ParseAndWalk(text, maxTextBytes, out _);
        if (analysis.ParseError || !LexerSettings.MayReadDifferently(text, out var refusal))
            return analysis;
        if (refusal is not null)
            return SqlAnalysis.Failed(refusal);
        var off = ParseAndWalk(text, maxTextBytes, out var parsed, standardConformingStrings: false);
        if (off.ErrorMessage == PgQueryParser.NoNonStandardReading)
            return SqlAnalysis.Failed("a backslash in a '...' literal cannot be checked with this libpg_query; use E'...' or dollar quoting");
        // With the setting off the server would read the same statements, or stop at a literal that never ends (the
        // one lexer error both readers share whatever the encoding or grammar version) and run nothing.
        if (parsed ? analysis.SameFacts(off) : off.ErrorMessage?.StartsWith("unterminated quoted string", StringComparison.Ordinal) == true)
            return analysis;
        return SqlAnalysis.Failed(
            "a backslash in a '...' literal makes this text mean something else when standard_conforming_strings is off; double the quote ('') or use E'...' or dollar quoting");
    }

    private static SqlAnalysis ParseAndWalk(NativeSqlText text, int maxTextBytes, out bool parsed, bool standardConformingStrings = true)
    {
        parsed = false;
        try
        {
            if (!PgQueryParser.TryParse(text, out var tree, out var error, standardConformingStrings))
                return SqlAnalysis.Failed(error ?? "the SQL text does not parse");
            parsed = true;

            using (tree)
            using (var walker = new ParseTreeWalker(maxTextBytes))
            {
                walker.Walk(tree.Json, parent: null);
                return new SqlAnalysis(walker.ToStatements(), null, walker.HoldsForShape);
            }
        }
        catch (AnalysisRefusedException refused)
        {
            return SqlAnalysis.Failed(refused.Message);
        }
        catch (JsonException malformed)
        {
            return SqlAnalysis.Failed($"the SQL parser returned an unreadable parse tree: {malformed.Message}");
        }
        catch (Exception unexpected) when (unexpected is not OutOfMemoryException and not DllNotFoundException and not EntryPointNotFoundException)
        {
            // A tree shape the walker did not expect (JsonElement accessors throw InvalidOperationException).
            return SqlAnalysis.Failed($"the parse tree could not be analysed ({unexpected.GetType().Name}: {unexpected.Message})");
        }
    }
}
