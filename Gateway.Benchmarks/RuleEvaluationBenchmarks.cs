using BenchmarkDotNet.Attributes;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Benchmarks;

/// <summary>Rule evaluation with the shipped examples/rules/agents.yaml: an allowed read (mask rule), a write, a denial.</summary>
[MemoryDiagnoser]
public class RuleEvaluationBenchmarks
{
    private IPolicy _rules = null!;
    private SessionFacts _session = null!;
    private Command _select = null!;
    private Command _update = null!;
    private Command _drop = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rules = RepoFiles.LoadAgentsRules();
        _session = RepoFiles.AgentSession();
        var analyzer = new SqlAnalyzer();
        _select = analyzer.Analyze(Statements.Text(StatementShape.JoinReport), CommandOrigin.Query);
        _update = analyzer.Analyze(Statements.Text(StatementShape.PointUpdate), CommandOrigin.Query);
        _drop = analyzer.Analyze("DROP TABLE customers", CommandOrigin.Query);
    }

    [Benchmark(Description = "select (agents-mask)")]
    public Decision Select() => _rules.Evaluate(_session, _select);

    [Benchmark(Description = "update ... where (allowed)")]
    public Decision Update() => _rules.Evaluate(_session, _update);

    [Benchmark(Description = "drop table (agents-no-ddl)")]
    public Decision Drop() => _rules.Evaluate(_session, _drop);
}
