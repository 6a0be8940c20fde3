using System.Text.Json.Nodes;
using Gateway.Host.Azure;
using Gateway.Host.Sinks;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.AzureMonitor;

/// <summary>A temp state folder, a running <see cref="LogsIngestionFixture"/>, and sinks wired to it the way the host wires them.</summary>
public abstract class SinkTestBase
{
    protected string Root { get; private set; } = "";
    protected string TokenFile { get; private set; } = "";
    internal TestSegments Segments { get; private set; } = null!;
    protected LogsIngestionFixture Fixture { get; private set; } = null!;
    private readonly List<AzureMonitorSink> _sinks = [];

    [SetUp]
    public async Task StartFixtureAsync()
    {
        Root = Directory.CreateTempSubdirectory("gateway-azure-").FullName;
        Fixture = await LogsIngestionFixture.StartAsync(Root);
        TokenFile = Path.Combine(Root, "token");
        await File.WriteAllTextAsync(TokenFile, Fixture.Token + "\n");
        Segments = new TestSegments(Path.Combine(Root, "state"));
    }

    [TearDown]
    public async Task StopFixtureAsync()
    {
        foreach (var sink in _sinks)
            await sink.DisposeAsync();
        _sinks.Clear();
        Segments.Dispose();
        await Fixture.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    /// <summary>A sink with test-sized timings (backoff capped at 1 s) shipping <see cref="Segments"/> to the fixture.</summary>
    internal AzureMonitorSink CreateSink(Func<AzureMonitorSinkOptions, AzureMonitorSinkOptions>? adjust = null, string? ruleId = null)
    {
        var options = new AzureMonitorSinkOptions
        {
            Name = "test-sink",
            LogDirectory = Segments.LogDirectory,
            CursorDirectory = Segments.CursorDirectory,
            BatchRecords = 500,
            FlushInterval = TimeSpan.FromMilliseconds(200),
            PollInterval = TimeSpan.FromMilliseconds(50),
            InitialBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromSeconds(1),
        };
        options = adjust?.Invoke(options) ?? options;
        var clientOptions = new LogsIngestionClientOptions { Transport = PrivateRootTransport.Create(Fixture.CaFile) };
        var client = new LogsIngestionClient(Fixture.Endpoint, ruleId ?? Fixture.RuleId, Fixture.Stream,
            new TokenFileCredential(TokenFile), clientOptions);
        var sink = new AzureMonitorSink(options, client, NullLogger<AzureMonitorSink>.Instance);
        _sinks.Add(sink);
        return sink;
    }

    protected static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out after {timeout.TotalSeconds}s waiting for {what}");
            await Task.Delay(25);
        }
    }

    protected Task WaitForDeliveryAsync(long lastSeq, TimeSpan timeout) =>
        WaitUntilAsync(() => DistinctSeqs().Count >= lastSeq, timeout, $"Seq 1..{lastSeq} to arrive");

    protected SortedSet<long> DistinctSeqs() => [.. Fixture.Records.Select(SeqOf)];

    protected static long SeqOf(JsonObject record) => record["Seq"]!.GetValue<long>();

    protected static IEnumerable<long> Range(long from, long to)
    {
        for (var seq = from; seq <= to; seq++)
            yield return seq;
    }
}
