using BenchmarkDotNet.Attributes;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Benchmarks;

/// <summary>
/// What an Execute of a prepared statement costs the gateway before the audit write: no parse (the analysis was
/// kept from Parse), the decision against the current rules snapshot, and the Execute origin of the command.
/// </summary>
[MemoryDiagnoser]
public class PreparedPathBenchmarks
{
    private IPolicy _rules = null!;
    private SessionFacts _session = null!;
    private Command _prepared = null!;

    [Params(StatementShape.PointSelect, StatementShape.PointUpdate)]
    public StatementShape Statement { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _rules = RepoFiles.LoadAgentsRules();
        _session = RepoFiles.AgentSession();
        var text = Statement == StatementShape.PointSelect
            ? "SELECT abalance FROM pgbench_accounts WHERE aid = $1;"
            : "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;";
        _prepared = new SqlAnalyzer().Analyze(text, CommandOrigin.Prepare);
    }

    [Benchmark(Description = "decision for a cached analysis")]
    public Decision ExecuteDecision() => _rules.Evaluate(_session, _prepared);
}
