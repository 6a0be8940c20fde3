using Gateway.Core.FrameLog;
using Gateway.Tests.Fixtures;

namespace Gateway.Tests.Security;

/// <summary>
/// Message-size overflow at session level (the 2024 smuggling technique, Npgsql CVE-2024-32655): a row the
/// gateway re-encodes (masked) grows, and its new length is computed as 64-bit and checked against
/// <c>max_message_bytes</c> before anything is written, so no length on the wire can wrap or exceed the cap.
/// PgWriterTests cover the writer itself with a &gt;4 GiB logical payload built from reused segments.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class MessageSizeTests
{
    [Test]
    public async Task A_masked_row_that_would_exceed_max_message_bytes_is_refused_not_written()
    {
        await using var gateway = await StartAsync();
        // 100 one-byte card* columns: 506 bytes from the server, 3,606 once each value is a 32-digit pseudonym.
        await using var client = await gateway.AuthenticatedRawAsync("grows-when-masked");
        await client.WriteAsync(HostileFrames.Query("select * from wide_cards_100"));

        var messages = await client.ReadUntilClosedAsync();

        Assert.That(messages.Where(m => m.Type == 'D'), Is.Empty, "no row over the cap reached the client");
        var fatal = messages.Single(m => m.Type == 'E');
        Assert.That(fatal.SqlState, Is.EqualTo("08P01"));
        Assert.That(fatal.Text, Does.Contain("a masked row would need 3606 bytes"));
        var records = await gateway.SessionRecordsAsync("grows-when-masked");
        Assert.That(records.Any(r => r.Kind == FrameKinds.Error && r.Payload!["code"]!.GetValue<string>() == "08P01"), Is.True);
    }

    [Test]
    public async Task The_same_row_under_the_cap_is_masked_and_delivered()
    {
        await using var gateway = await StartAsync();
        await using var client = await gateway.AuthenticatedRawAsync("fits-when-masked");
        await client.WriteAsync(HostileFrames.Query("select * from wide_cards_60"));

        var messages = await client.ReadUntilReadyAsync();

        var row = messages.Single(m => m.Type == 'D');
        Assert.That(row.Body.Length, Is.EqualTo(2 + 60 * (4 + 32)), "every value re-encoded as its pseudonym");
        Assert.That(messages.Where(m => m.Type == 'E'), Is.Empty);
    }

    /// <summary>
    /// Views of one-byte <c>card*</c> columns, a rule that pseudonymises them (32 hex digits each), and a gateway
    /// capped at 3,000 bytes per message: the RowDescription of 100 columns fits, their pseudonymised row does not.
    /// </summary>
    private async Task<SecurityGateway> StartAsync()
    {
        var pg = await PostgresServer.GetSharedAsync();
        foreach (var width in new[] { 60, 100 })
        {
            var columns = string.Join(", ", Enumerable.Range(1, width).Select(i => $"'x'::text as card{i}"));
            await pg.ExecuteAsync($"CREATE OR REPLACE VIEW wide_cards_{width} AS SELECT {columns}");
        }
        var rules = Path.Combine(Path.GetTempPath(), $"gw-pseudonyms-{Guid.NewGuid():n}.yaml");
        await File.WriteAllTextAsync(rules, """
            version: 1
            default: allow
            rules:
              - id: pseudonymise-cards
                match: { groups: [ai-agents] }
                action: mask
                columns: ["card*"]
                strategy: hash
            """);
        _rulesFiles.Add(rules);
        return await SecurityGateway.StartAsync(pg, "max_message_bytes: 3000", rulesFile: rules);
    }

    private readonly List<string> _rulesFiles = [];

    [TearDown]
    public void DeleteRules()
    {
        foreach (var file in _rulesFiles)
            File.Delete(file);
        _rulesFiles.Clear();
    }
}
