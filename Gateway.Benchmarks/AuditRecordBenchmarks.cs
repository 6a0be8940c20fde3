using System.Net;
using BenchmarkDotNet.Attributes;
using Gateway.Core.Audit;
using Gateway.Core.Config;
using Gateway.Core.FrameLog;
using Gateway.Core.Identity;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Benchmarks;

/// <summary>
/// The per-command audit work apart from the disk: building the command and result records (SessionAudit,
/// ResultCapture) and the writer's part of an append — canonical JSON and the chain hash — for one record.
/// </summary>
[MemoryDiagnoser]
public class AuditRecordBenchmarks : IDisposable
{
    private readonly DiscardLog _log = new();
    private SessionAudit _audit = null!;
    private Command _command = null!;
    private Decision _decision = null!;
    private ResultCapture _result = null!;
    private FrameRecord _stamped = null!;
    private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new(4096);
    private System.Text.Json.Utf8JsonWriter _json = null!;
    private readonly ChainHash _hash = new();

    [GlobalSetup]
    public void Setup()
    {
        _audit = new SessionAudit(_log, "s-1", "pg", "postgres", new IPEndPoint(IPAddress.Loopback, 50000), "127.0.0.1:5432", new CaptureConfig());
        _audit.Identify(new Principal
        {
            Subject = "bench-agent", Kind = IdentityKind.Agent, Groups = ["ai-agents"], Issuer = "urn:gateway:dev-issuer",
            ExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
        });
        _audit.Database = "bench";
        _command = new SqlAnalyzer().Analyze(Statements.Text(StatementShape.PointSelect), CommandOrigin.Query);
        _decision = RepoFiles.LoadAgentsRules().Evaluate(RepoFiles.AgentSession(), _command);
        _result = new ResultCapture(20, 256);
        _stamped = FrameLogBenchmarks.CommandRecord(1, 1);
        _stamped.PrevHash = ChainHash.Genesis;
        _stamped.Node = "bench";
        _stamped.TimeGenerated = DateTimeOffset.UtcNow;
        _json = new System.Text.Json.Utf8JsonWriter(_buffer);
    }

    [Benchmark(Description = "command record (SessionAudit)")]
    public ValueTask CommandRecord() => _audit.CommandAsync(_command, _command.Text, _decision, null, CancellationToken.None);

    [Benchmark(Description = "result record, 1 row captured")]
    public void ResultRecord()
    {
        _result.Start();
        _result.SetColumns(["abalance"]);
        _result.Count(bytes: 11);
        _result.AddRow(["0"]);
        _result.Tag = "SELECT 1";
        _audit.Result(_result);
    }

    [Benchmark(Description = "canonical JSON + chain hash")]
    public int SerialiseAndHash()
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        FrameRecordJson.WriteCanonical(_json, _stamped);
        _json.Flush();
        Span<char> hash = stackalloc char[FrameRecordJson.HashHexLength];
        _hash.Compute(_stamped.PrevHash, _buffer.WrittenSpan[..^1], hash);
        return _buffer.WrittenCount;
    }

    public void Dispose()
    {
        _json?.Dispose();
        _hash.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class DiscardLog : IFrameLog
    {
        public ValueTask AppendAsync(FrameRecord record, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
