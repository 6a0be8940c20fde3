using System.Text;
using Gateway.Tests.Fixtures;
using Gateway.Tests.Security;

namespace Gateway.Tests.Postgres.EndToEnd;

/// <summary>
/// While the server is in COPY FROM STDIN it ignores Sync and Flush and fails on anything else. A gateway that queued
/// an answer for each of those would pair every later answer with the wrong request: rows of a masked query would go
/// out unmasked. Raw protocol against the real PostgreSQL, with the shipped agents policy (which masks columns named
/// like <c>*secret*</c>).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CopyInProtocolTests
{
    private const string MaskedQuery = "SELECT api_secret FROM copy_in_secrets";

    private PostgresServer _pg = null!;
    private SecurityGateway _gateway = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        await _pg.ExecuteAsync("""
            DROP TABLE IF EXISTS copy_in_target, copy_in_secrets;
            CREATE TABLE copy_in_target (id int);
            CREATE TABLE copy_in_secrets (api_secret text);
            INSERT INTO copy_in_secrets VALUES ('hunter2-plaintext');
            """);
        _gateway = await SecurityGateway.StartAsync(_pg);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _gateway.DisposeAsync();

    [SetUp]
    public Task EmptyAsync() => _pg.ExecuteAsync("TRUNCATE copy_in_target");

    [Test]
    public async Task Syncs_sent_into_a_COPY_do_not_unpair_later_results_from_their_masking()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("copy-in");
        await client.WriteAsync([.. HostileFrames.Query("COPY copy_in_target FROM STDIN"), .. HostileFrames.Sync(), .. HostileFrames.Sync(),
            .. HostileFrames.Sync(), .. HostileFrames.CopyFail("changed my mind")]);
        var copy = await client.ReadUntilReadyAsync();
        Assert.That(copy.Select(m => m.Type), Is.EqualTo(new[] { 'G', 'E', 'Z' }), "CopyInResponse, the server's error for CopyFail, ReadyForQuery");

        for (var i = 0; i < 4; i++)
        {
            await client.WriteAsync(HostileFrames.Query(MaskedQuery));
            var answer = await client.ReadUntilReadyAsync();
            Assert.That(RawPgClient.FirstColumns(answer), Is.EqualTo(new[] { "****" }), $"query {i + 1} after the COPY is masked");
        }
    }

    [Test]
    public async Task A_query_sent_into_a_COPY_ends_the_connection_with_a_protocol_error()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("copy-in");
        await client.WriteAsync([.. HostileFrames.Query("COPY copy_in_target FROM STDIN"), .. HostileFrames.Query(MaskedQuery)]);

        var messages = await client.ReadUntilClosedAsync();

        var fatal = messages.Single(m => m.Type == 'E');
        Assert.That(fatal.SqlState, Is.EqualTo("08P01"));
        Assert.That(fatal.Fields['M'], Does.Contain("'Q' during COPY FROM STDIN"));
        Assert.That(messages.Where(m => m.Type == 'D'), Is.Empty, "the query did not run");
    }

    [Test]
    public async Task An_extended_protocol_COPY_with_libpq_s_early_Sync_stays_paired()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("copy-in");
        // As libpq's PQexecParams sends it: Sync right behind Execute, before the server's CopyInResponse; after the
        // data, CopyDone and a second Sync (the server ignored the first).
        await client.WriteAsync([.. HostileFrames.Parse("", "COPY copy_in_target FROM STDIN"), .. HostileFrames.Bind(), .. HostileFrames.Execute(), .. HostileFrames.Sync()]);
        var started = await client.ReadMessageAsync();
        while (started is { Type: '1' or '2' })
            started = await client.ReadMessageAsync();
        Assert.That(started?.Type, Is.EqualTo('G'), "CopyInResponse");

        await client.WriteAsync([.. HostileFrames.CopyData("41\n42\n"), .. HostileFrames.CopyDone(), .. HostileFrames.Sync()]);
        var done = await client.ReadUntilReadyAsync();
        Assert.That(done.Where(m => m.Type == 'C').Select(m => Encoding.UTF8.GetString(m.Body).TrimEnd('\0')), Is.EqualTo(new[] { "COPY 2" }));
        Assert.That(await _pg.ScalarAsync("SELECT count(*) FROM copy_in_target"), Is.EqualTo(2L));

        await client.WriteAsync(HostileFrames.Query(MaskedQuery));
        Assert.That(RawPgClient.FirstColumns(await client.ReadUntilReadyAsync()), Is.EqualTo(new[] { "****" }), "the next query is answered as itself");
    }

    [Test]
    public async Task Two_COPY_FROM_STDIN_in_one_query_are_refused()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("copy-in");
        await client.WriteAsync(HostileFrames.Query("COPY copy_in_target FROM STDIN; COPY copy_in_target FROM STDIN"));

        var answer = await client.ReadUntilReadyAsync();

        Assert.That(answer.Single(m => m.Type == 'E').Fields['M'], Does.Contain("one-copy-per-query"));
    }
}
