using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Core.FrameLog;

namespace Gateway.Tests.FrameLog;

public sealed class FrameRecordJsonTests
{
    [Test]
    public void CanonicalFormWritesEveryColumnOfTheRecord()
    {
        // Guards the contract: a column added to FrameRecord must also be added to the canonical writer.
        var record = new FrameRecord
        {
            TimeGenerated = DateTimeOffset.Parse("2025-03-01T11:00:00+01:00", System.Globalization.CultureInfo.InvariantCulture),
            Seq = 7, Hash = new string('a', 64), PrevHash = new string('b', 64), Node = "n", SessionId = "s", Listener = "l",
            Protocol = "postgres", Kind = FrameKinds.Command, Direction = "client", Subject = "alice", IdentityKind = "agent",
            Groups = ["g"], SourceIp = "10.0.0.1", Target = "t", Database = "d", Command = "select 1", CommandKind = "select",
            Objects = ["o"], Decision = "allow", RuleId = "r", Rows = 1, Bytes = 2, DurationMs = 1.5,
            Payload = new JsonObject { ["origin"] = "query" }, Truncated = true,
        };

        var json = JsonNode.Parse(Canonical(record))!.AsObject();

        var columns = typeof(FrameRecord).GetProperties().Select(p => p.Name).Where(n => n != nameof(FrameRecord.Hash));
        Assert.That(json.Select(p => p.Key), Is.EquivalentTo(columns));
        Assert.That(json["TimeGenerated"]!.GetValue<string>(), Is.EqualTo("2025-03-01T10:00:00Z"));
    }

    [Test]
    public void StoredLineRoundTripsThroughTheSourceGeneratedContext()
    {
        var record = new FrameRecord { Kind = FrameKinds.Result, Seq = 3, PrevHash = ChainHash.Genesis, Node = "n", Rows = 5 };
        var body = Canonical(record)[..^1];
        var line = body + ",\"Hash\":\"" + new string('c', 64) + "\"}";

        var parsed = FrameRecordJson.Parse(Encoding.UTF8.GetBytes(line));
        var split = FrameRecordJson.TrySplitLine(Encoding.UTF8.GetBytes(line), out var canonicalBody, out var hash);

        Assert.That(parsed.Rows, Is.EqualTo(5));
        Assert.That(parsed.Hash, Is.EqualTo(new string('c', 64)));
        Assert.That(parsed.Command, Is.Null);
        Assert.That(split, Is.True);
        Assert.That(Encoding.UTF8.GetString(canonicalBody), Is.EqualTo(body));
        Assert.That(Encoding.UTF8.GetString(hash), Is.EqualTo(new string('c', 64)));
        Assert.That(JsonSerializer.Serialize(parsed, FrameLogJsonContext.Default.FrameRecord), Does.Not.Contain("\"Command\""));
    }

    [TestCase("{\"Kind\":\"x\"}")]
    [TestCase("{\"Kind\":\"x\",\"Hash\":\"CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC\"}")]
    [TestCase("{\"Kind\":\"x\",\"Hash\":\"cccc\"}")]
    public void LinesWithoutAWellFormedTrailingHashAreRejected(string line) =>
        Assert.That(FrameRecordJson.TrySplitLine(Encoding.UTF8.GetBytes(line), out _, out _), Is.False);

    private static string Canonical(FrameRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
            FrameRecordJson.WriteCanonical(writer, record);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
