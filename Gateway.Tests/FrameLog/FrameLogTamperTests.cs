using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Core.FrameLog;

namespace Gateway.Tests.FrameLog;

/// <summary>Each test alters a verified log the way an attacker or a crash would and checks what verify names.</summary>
public sealed class FrameLogTamperTests
{
    private FrameLogFixture _log = null!;
    private string _segment = null!;

    [SetUp]
    public async Task SetUp()
    {
        _log = new FrameLogFixture();
        await _log.WriteCommandsAsync(30, FrameLogFixture.Config(checkpointEvery: 10));
        _segment = _log.Segments().Single().Path;
        Assert.That((await _log.VerifyAsync()).Problem, Is.Null);
    }

    [TearDown]
    public void TearDown() => _log.Delete();

    [Test]
    public async Task OneChangedByteIsNamed()
    {
        var bytes = await File.ReadAllBytesAsync(_segment);
        var line5 = LineStart(bytes, 5);
        var at = bytes.AsSpan(line5).IndexOf("value 4"u8) + line5;
        bytes[at] = (byte)'V';
        await File.WriteAllBytesAsync(_segment, bytes);

        var problem = (await _log.VerifyAsync()).Problem!;

        Assert.That(problem.File, Is.EqualTo(Path.GetFileName(_segment)));
        Assert.That(problem.Line, Is.EqualTo(5));
        Assert.That(problem.Seq, Is.EqualTo(5));
        Assert.That(problem.What, Does.Contain("altered"));
    }

    [Test]
    public async Task RemovedRecordIsNamed()
    {
        var lines = (await File.ReadAllLinesAsync(_segment)).ToList();
        lines.RemoveAt(6); // Seq 7
        await File.WriteAllLinesAsync(_segment, lines);

        var problem = (await _log.VerifyAsync()).Problem!;

        Assert.That(problem.Line, Is.EqualTo(7));
        Assert.That(problem.Seq, Is.EqualTo(8));
        Assert.That(problem.What, Does.Contain("Seq 8 follows Seq 6"));
    }

    [Test]
    public async Task ReorderedRecordIsNamed()
    {
        var lines = await File.ReadAllLinesAsync(_segment);
        (lines[6], lines[7]) = (lines[7], lines[6]);
        await File.WriteAllLinesAsync(_segment, lines);

        var problem = (await _log.VerifyAsync()).Problem!;

        Assert.That(problem.Line, Is.EqualTo(7));
        Assert.That(problem.Seq, Is.EqualTo(8));
        Assert.That(problem.What, Does.Contain("out of order"));
    }

    [Test]
    public async Task RechainedForgeryFailsAtTheNextCheckpointSignature()
    {
        // An attacker without the node key rewrites Seq 5 and recomputes every later hash and checkpoint head.
        var lines = await File.ReadAllLinesAsync(_segment);
        using var hash = new ChainHash();
        var head = ChainHash.Genesis;
        for (var i = 0; i < lines.Length; i++)
        {
            var record = FrameRecordJson.Parse(Encoding.UTF8.GetBytes(lines[i]));
            if (record.Seq == 5)
                record.Command = "select 'nothing to see'";
            if (record.Kind == FrameKinds.Checkpoint)
                record.Payload!["head_hash"] = head;
            record.PrevHash = head;
            lines[i] = Serialize(record, hash);
            head = record.Hash;
        }
        await File.WriteAllLinesAsync(_segment, lines);

        var problem = (await _log.VerifyAsync()).Problem!;

        Assert.That(problem.Seq, Is.EqualTo(11), "the first checkpoint after the forged record");
        Assert.That(problem.What, Does.Contain("signature is invalid"));
    }

    [Test]
    public async Task CheckpointSignedByAnotherKeyIsNamed()
    {
        using var other = NodeSigningKey.LoadPem(System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfoPem());

        var result = await new FrameLogVerifier(_log.LogDirectory, other).VerifyAsync();

        Assert.That(result.Problem!.Seq, Is.EqualTo(11));
        Assert.That(result.Problem.What, Does.Contain("not by the node key"));
    }

    [Test]
    public async Task TornTailAfterAKillIsCutByRecoveryAndNoted()
    {
        var length = new FileInfo(_segment).Length;
        await using (var stream = new FileStream(_segment, FileMode.Open))
            stream.SetLength(length - 40); // mid-way through the last line (the closing checkpoint)

        var beforeRestart = await _log.VerifyAsync();
        Assert.That(beforeRestart.Problem, Is.Null, "a torn tail is a crash, not tampering");
        Assert.That(beforeRestart.Notes, Has.Some.Contains("unfinished last line"));

        await _log.WriteCommandsAsync(3, FrameLogFixture.Config(checkpointEvery: 10));

        var records = await _log.ReadAllAsync();
        var recovery = records.Single(r => r.Kind == FrameKinds.Recovery);
        Assert.That(recovery.Seq, Is.EqualTo(33));
        Assert.That(recovery.Payload!["last_good_seq"]!.GetValue<long>(), Is.EqualTo(32));
        Assert.That(recovery.Payload["cut_bytes"]!.GetValue<long>(), Is.GreaterThan(0));
        Assert.That(recovery.Payload["reason"]!.GetValue<string>(), Is.EqualTo("torn line"));
        var result = await _log.VerifyAsync();
        Assert.That(result.Problem, Is.Null);
        Assert.That(result.Notes, Has.Some.Contains("recovery after a crash cut"));
        Assert.That(File.Exists(Path.Combine(_log.LogDirectory, recovery.Payload["saved_to"]!.GetValue<string>())), Is.True);
    }

    [Test]
    public async Task GarbageTailLineIsCutByRecovery()
    {
        await File.AppendAllTextAsync(_segment, "\0\0\0\0garbage that is not json\n");

        await _log.WriteCommandsAsync(1, FrameLogFixture.Config(checkpointEvery: 10));

        var recovery = (await _log.ReadAllAsync()).Single(r => r.Kind == FrameKinds.Recovery);
        Assert.That(recovery.Payload!["reason"]!.GetValue<string>(), Is.EqualTo("unparsable line"));
        Assert.That((await _log.VerifyAsync()).Problem, Is.Null);
    }

    private static string Serialize(FrameRecord record, ChainHash hash)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            FrameRecordJson.WriteCanonical(writer, record);
        var body = buffer.WrittenSpan[..^1];
        Span<char> hex = stackalloc char[64];
        hash.Compute(record.PrevHash, body, hex);
        record.Hash = new string(hex);
        return Encoding.UTF8.GetString(body) + ",\"Hash\":\"" + record.Hash + "\"}";
    }

    private static int LineStart(byte[] bytes, int lineNumber)
    {
        var at = 0;
        for (var line = 1; line < lineNumber; line++)
            at = Array.IndexOf(bytes, (byte)'\n', at) + 1;
        return at;
    }
}
