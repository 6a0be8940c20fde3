using Gateway.Tests.Fixtures;
using Npgsql;

namespace Gateway.Tests.Postgres.EndToEnd;

/// <summary>
/// A rules reload reaches sessions already open: the same statement, run again on the same connection (simple and
/// prepared), is masked by the new rules. The session keeps its last result shape only while the plan is the same.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class MaskingReloadTests
{
    private const string Select = "SELECT alpha, beta FROM mask_reload";

    [Test]
    public async Task A_reload_changes_what_an_open_session_sees_for_the_same_statement()
    {
        var pg = await PostgresServer.GetSharedAsync();
        await pg.ExecuteAsync("DROP TABLE IF EXISTS mask_reload; CREATE TABLE mask_reload (alpha text, beta text); INSERT INTO mask_reload VALUES ('first', 'second')");
        var rules = Path.Combine(Path.GetTempPath(), $"mask-reload-{Guid.NewGuid():n}.yaml");
        await File.WriteAllTextAsync(rules, Rules("alpha"));
        try
        {
            await using var gateway = await GatewayUnderTest.StartAsync(pg, rules);
            await using var connection = await gateway.OpenAsync();
            await using var prepared = new NpgsqlCommand(Select, connection);
            await prepared.PrepareAsync();

            var before = (await RowAsync(connection), await RowAsync(prepared));
            await File.WriteAllTextAsync(rules, Rules("beta"));
            var deadline = DateTime.UtcNow.AddSeconds(15);
            var after = before;
            while (after.Item1.Beta == "second" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                after = (await RowAsync(connection), await RowAsync(prepared));
            }

            foreach (var row in new[] { before.Item1, before.Item2 })
            {
                Assert.That(row.Alpha, Is.Not.EqualTo("first"), "alpha masked before the reload");
                Assert.That(row.Beta, Is.EqualTo("second"));
            }
            foreach (var row in new[] { after.Item1, after.Item2 })
            {
                Assert.That(row.Alpha, Is.EqualTo("first"), "alpha in clear after the reload");
                Assert.That(row.Beta, Is.Not.EqualTo("second"), "beta masked after the reload");
            }
        }
        finally
        {
            File.Delete(rules);
        }
    }

    private static string Rules(string maskedColumn) => $"""
        version: 1
        default: allow
        rules:
          - id: mask-one-column
            match: {"{"} groups: [ai-agents] {"}"}
            action: mask
            columns: [{maskedColumn}]
            strategy: redact
        """;

    private static Task<(string Alpha, string Beta)> RowAsync(NpgsqlConnection connection) =>
        RowAsync(new NpgsqlCommand(Select, connection));

    private static async Task<(string Alpha, string Beta)> RowAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        Assert.That(await reader.ReadAsync(), Is.True);
        return (reader.GetString(0), reader.GetString(1));
    }
}
