using BenchmarkDotNet.Attributes;
using Gateway.Core.Masking;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Benchmarks;

/// <summary>
/// SQL analysis per statement: libpg_query's parse plus the walk over its tree (caches off), the analysis cache hit
/// (a repeated text), a text never seen before whose shape is (pgbench -S: a new literal each time; the lexer's scan
/// and a shape-cache hit), and the whole per-command path of a simple Query before the audit write: analysis, rule
/// evaluation, redaction of the recorded text.
/// </summary>
[MemoryDiagnoser]
public class AnalysisBenchmarks
{
    private SqlAnalyzer _uncached = null!;
    private SqlAnalyzer _cached = null!;
    private IPolicy _rules = null!;
    private SessionFacts _session = null!;
    private string _text = "";
    private int _variant;

    [Params(StatementShape.PointSelect, StatementShape.PointUpdate, StatementShape.JoinReport)]
    public StatementShape Statement { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _uncached = new SqlAnalyzer(new SqlAnalyzerOptions { CacheEntries = 0 });
        _cached = new SqlAnalyzer();
        _rules = RepoFiles.LoadAgentsRules();
        _session = RepoFiles.AgentSession();
        _text = Statements.Text(Statement);
        // The cache admits a text the second time it is analysed (AnalysisCache's doorkeeper).
        _cached.Analyze(_text, CommandOrigin.Query);
        _cached.Analyze(_text, CommandOrigin.Query);
        // And its shape, on the second text of that shape (SqlShape).
        _cached.Analyze(Statements.Text(Statement, 1), CommandOrigin.Query);
    }

    [Benchmark(Description = "parse + walk (cache off)")]
    public Command Uncached() => _uncached.Analyze(_text, CommandOrigin.Query);

    [Benchmark(Description = "cache hit")]
    public Command CacheHit() => _cached.Analyze(_text, CommandOrigin.Query);

    /// <summary>pgbench -S in simple mode: every text differs in its literal; the text cache misses, the shape cache hits.</summary>
    [Benchmark(Description = "new literal, shape cached")]
    public Command NewLiteral() => _cached.Analyze(Statements.Text(Statement, ++_variant), CommandOrigin.Query);

    /// <summary>An agent's ad-hoc statement: a shape never seen before, so both caches miss (the shape hint is new too).</summary>
    [Benchmark(Description = "new shape, both caches miss")]
    public Command NewShape() => _cached.Analyze(Statements.NewShape(Statement, ++_variant), CommandOrigin.Query);

    /// <summary>The same texts through the whole command path.</summary>
    [Benchmark(Description = "command path, new literal each time")]
    public string CommandPathNewLiteral()
    {
        var text = Statements.Text(Statement, ++_variant);
        var command = _cached.Analyze(text, CommandOrigin.Query);
        var decision = _rules.Evaluate(_session, command);
        return decision.IsBlocking ? "" : MaskingPlan.AllDetectorsRedacted.MaskText(SqlRedactor.Redact(text, command));
    }
}
