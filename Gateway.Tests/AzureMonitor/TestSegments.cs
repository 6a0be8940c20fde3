using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Gateway.Core.FrameLog;
using Gateway.Host.Sinks;

namespace Gateway.Tests.AzureMonitor;

/// <summary>
/// Writes frame-log segments in the writer's on-disk contract, for sink tests: <c>{state}/log/segment-{firstSeq:D20}.jsonl</c>,
/// one FrameRecord per line as PascalCase JSON with nulls omitted, each line ending in <c>\n</c>, the last segment growing.
/// </summary>
internal sealed class TestSegments : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private FileStream? _current;
    private string _prevHash = new('0', 64);

    public TestSegments(string stateDirectory, string node = "node-a")
    {
        StateDirectory = stateDirectory;
        Node = node;
        LogDirectory = Path.Combine(stateDirectory, "log");
        Directory.CreateDirectory(LogDirectory);
    }

    public string StateDirectory { get; }
    public string LogDirectory { get; }
    public string CursorDirectory => Path.Combine(StateDirectory, "cursors");
    public string Node { get; }
    public long NextSeq { get; private set; } = 1;
    public long LastSeq => NextSeq - 1;

    /// <summary>Appends one record (a command with a payload of about <paramref name="payloadBytes"/>) and returns its Seq.</summary>
    public long Append(int payloadBytes = 200, string session = "s-1", string kind = FrameKinds.Command)
    {
        var seq = NextSeq;
        var record = new FrameRecord
        {
            Kind = kind,
            TimeGenerated = DateTimeOffset.UtcNow,
            Seq = seq,
            Node = Node,
            PrevHash = _prevHash,
            SessionId = session,
            Listener = "pg",
            Protocol = "postgres",
            Direction = "client",
            Subject = "agent@example.com",
            IdentityKind = "oidc",
            Groups = ["sre", "agents"],
            SourceIp = "127.0.0.1",
            Target = "orders-db",
            Database = "orders",
            Command = $"select * from orders where id = {seq}",
            CommandKind = "select",
            Objects = ["public.orders"],
            Decision = "allow",
            RuleId = "allow-read",
            Payload = new JsonObject { ["filler"] = new string('x', Math.Max(0, payloadBytes)) },
        };
        record.Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{_prevHash}{seq}")));
        _prevHash = record.Hash;
        WriteLine(JsonSerializer.SerializeToUtf8Bytes(record, Json));
        NextSeq++;
        return seq;
    }

    public void AppendMany(int count, int payloadBytes = 200)
    {
        for (var i = 0; i < count; i++)
            Append(payloadBytes);
    }

    /// <summary>Starts a new segment named after the next Seq (the writer's rotation).</summary>
    public void Rotate()
    {
        _current?.Dispose();
        _current = null;
        EnsureSegment();
    }

    /// <summary>Bytes without a trailing newline: a record cut short by a crash.</summary>
    public void WriteTorn(string text)
    {
        EnsureSegment();
        _current!.Write(Encoding.UTF8.GetBytes(text));
        _current.Flush();
    }

    public void WriteRaw(string line)
    {
        EnsureSegment();
        _current!.Write(Encoding.UTF8.GetBytes(line));
        _current.Flush();
    }

    private void WriteLine(byte[] json)
    {
        EnsureSegment();
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        _current!.Write(line);
        _current.Flush();
    }

    private void EnsureSegment()
    {
        _current ??= new FileStream(Path.Combine(LogDirectory, SpoolSegment.NameFor(NextSeq)), FileMode.Append, FileAccess.Write,
            FileShare.ReadWrite | FileShare.Delete);
    }

    public void Dispose() => _current?.Dispose();
}
