using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Gateway.Core.Config;
using Gateway.Core.FrameLog;

namespace Gateway.Benchmarks;

/// <summary>
/// Frame-log appends from 8 concurrent writers (sessions), each awaiting its append before the next as a session
/// does for command records: time per record (records/s = 1e9 / mean ns), buffered and fsync durability, on this
/// machine's temp file system. Each record is a realistic command record (columns and a small payload).
/// </summary>
[MemoryDiagnoser]
public class FrameLogBenchmarks
{
    private const int Writers = 8;
    private const int PerWriter = 64;
    private string _directory = "";
    private FrameLogWriter _writer = null!;

    [Params(Durability.Buffered, Durability.Fsync)]
    public Durability Durability { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "gateway-bench-framelog-" + Guid.NewGuid().ToString("n")[..8]);
        var config = new AuditConfig { Durability = Durability };
        _writer = FrameLogWriter.OpenAsync(config, _directory, "bench").GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Writers * PerWriter, Description = "append, 8 writers")]
    public Task Append()
    {
        var writers = new Task[Writers];
        for (var w = 0; w < Writers; w++)
            writers[w] = AppendManyAsync(w);
        return Task.WhenAll(writers);
    }

    private async Task AppendManyAsync(int writer)
    {
        await Task.Yield();
        for (var i = 0; i < PerWriter; i++)
            await _writer.AppendAsync(CommandRecord(writer, i));
    }

    internal static FrameRecord CommandRecord(int session, int i) => new()
    {
        Kind = FrameKinds.Command,
        Direction = "client",
        SessionId = "s-" + session,
        Listener = "pg",
        Protocol = "postgres",
        Subject = "bench-agent",
        IdentityKind = "agent",
        Groups = ["ai-agents"],
        SourceIp = "127.0.0.1",
        Target = "127.0.0.1:5432",
        Database = "bench",
        Command = "SELECT abalance FROM pgbench_accounts WHERE aid = 48213;",
        CommandKind = "select",
        Objects = ["pgbench_accounts"],
        Decision = "mask",
        RuleId = "agents-mask",
        Payload = new JsonObject { ["origin"] = "query" },
    };
}
