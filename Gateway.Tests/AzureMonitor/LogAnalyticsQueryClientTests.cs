using System.Text.Json.Nodes;
using Azure;
using Gateway.Host.Azure;

namespace Gateway.Tests.AzureMonitor;

/// <summary>Replay from Azure: a session read back through the query API, deduplicated, with its Seq gaps.</summary>
[TestFixture]
public sealed class LogAnalyticsQueryClientTests
{
    private static readonly (string, string)[] SessionColumns =
    [
        ("Seq", "long"), ("Node", "string"), ("TimeGenerated", "datetime"), ("SessionId", "string"), ("Kind", "string"),
        ("Command", "string"), ("Groups", "dynamic"), ("Objects", "dynamic"), ("Payload", "dynamic"), ("Rows", "long"),
        ("DurationMs", "real"), ("Truncated", "bool"), ("Decision", "string"), ("Hash", "string"),
    ];

    private string _root = "";
    private LogAnalyticsQueryFixture _fixture = null!;
    private string _tokenFile = "";

    [SetUp]
    public async Task StartAsync()
    {
        _root = Directory.CreateTempSubdirectory("gateway-query-").FullName;
        _fixture = await LogAnalyticsQueryFixture.StartAsync(_root);
        _tokenFile = Path.Combine(_root, "token");
        await File.WriteAllTextAsync(_tokenFile, _fixture.Token);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _fixture.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Test]
    public async Task A_session_comes_back_once_per_Node_and_Seq_in_order_with_the_gaps_of_its_node()
    {
        const string session = "s-1\"|take 1";
        _fixture.Responder = query => query.Contains("prev(Seq)", StringComparison.Ordinal)
            ? ([("MissingFrom", "long"), ("MissingTo", "long")], [[12, 12]])
            : (SessionColumns, [Row(14, "command"), Row(10, "session_start"), Row(11, "command"), Row(11, "command"), Row(15, "session_end")]);
        using var client = Client();

        var result = await client.ReadSessionAsync(_fixture.WorkspaceId, session);

        Assert.That(result.Records.Select(r => r.Seq), Is.EqualTo(new long[] { 10, 11, 14, 15 }));
        Assert.That(result.DuplicatesRemoved, Is.EqualTo(1));
        Assert.That(result.Gaps, Is.EqualTo(new[] { new SeqGap("node-a", 12, 12) }));

        var command = result.Records[1];
        Assert.That(command.Kind, Is.EqualTo("command"));
        Assert.That(command.TimeGenerated, Is.EqualTo(new DateTimeOffset(2025, 7, 1, 10, 0, 11, TimeSpan.Zero)));
        Assert.That(command.Groups, Is.EqualTo(new[] { "sre", "agents" }));
        Assert.That(command.Objects, Is.Null, "an empty dynamic is no list");
        Assert.That(command.Payload!["rows"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That((command.Rows, command.DurationMs, command.Truncated), Is.EqualTo(((long?)3, (double?)1.5, false)));
        Assert.That(command.Decision, Is.Null, "Log Analytics returns absent strings as empty");

        var queries = _fixture.Queries;
        Assert.That(queries[0], Does.Contain("where SessionId == \"s-1\\\"|take 1\""), "the session id stays a string literal");
        Assert.That(queries[1], Does.Contain("Node == \"node-a\" and Seq between (10 .. 15)"));
    }

    [Test]
    public async Task A_session_whose_records_are_contiguous_needs_no_gap_query()
    {
        _fixture.Responder = _ => (SessionColumns, [Row(10, "session_start"), Row(11, "session_end")]);
        using var client = Client();

        var result = await client.ReadSessionAsync(_fixture.WorkspaceId, "s-2");

        Assert.That(result.Records, Has.Count.EqualTo(2));
        Assert.That(result.Gaps, Is.Empty);
        Assert.That(_fixture.Queries, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task An_unknown_session_is_empty()
    {
        _fixture.Responder = _ => (SessionColumns, []);
        using var client = Client();
        var result = await client.ReadSessionAsync(_fixture.WorkspaceId, "nope");
        Assert.That((result.Records.Count, result.Gaps.Count), Is.EqualTo((0, 0)));
    }

    [Test]
    public async Task A_token_the_service_does_not_accept_is_an_error_not_an_empty_session()
    {
        await File.WriteAllTextAsync(_tokenFile, "wrong");
        using var client = Client();
        var error = Assert.ThrowsAsync<RequestFailedException>(() => client.ReadSessionAsync(_fixture.WorkspaceId, "s-1"));
        Assert.That(error!.Status, Is.EqualTo(401));
    }

    [Test]
    public void Control_characters_never_reach_a_query() =>
        Assert.Throws<ArgumentException>(() => Kql.Quote("s-1\n| take 1"));

    private LogAnalyticsQueryClient Client() => new(new TokenFileCredential(_tokenFile),
        new LogAnalyticsQueryClientOptions { Transport = PrivateRootTransport.Create(_fixture.CaFile) }, _fixture.Endpoint);

    private static JsonNode?[] Row(long seq, string kind) =>
    [
        seq, "node-a", $"2025-07-01T10:00:{seq:D2}Z", "s-1", kind, $"select {seq}", "[\"sre\",\"agents\"]", "",
        "{\"rows\":3}", 3, 1.5, false, "", new string('a', 64),
    ];
}
