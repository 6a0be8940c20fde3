using System.Diagnostics.Metrics;
using Gateway.Host.Sinks;

namespace Gateway.Tests.AzureMonitor;

/// <summary>Statuses a retry cannot fix are sent once, alerted on, and never skipped.</summary>
[TestFixture]
public sealed class AzureMonitorSinkRejectionTests : SinkTestBase
{
    /// <summary>Several backoff periods of the test sink (100 ms initial, 1 s cap): long enough for a wrong retry to show.</summary>
    private static readonly TimeSpan RetryWindow = TimeSpan.FromSeconds(1.5);

    [TestCase(400)]
    [TestCase(401)]
    [TestCase(403)]
    [TestCase(404)]
    [TestCase(413)]
    public async Task A_non_retryable_status_is_sent_once_halts_the_sink_and_resumes_without_loss(int status)
    {
        Segments.AppendMany(20);
        Fixture.FailWith(status);
        using var failures = new FailureRecorder();
        var sink = CreateSink();
        await sink.StartAsync(CancellationToken.None);

        await WaitUntilAsync(() => sink.Health.State == SinkState.Halted, TimeSpan.FromSeconds(10), "the sink to halt");
        await Task.Delay(RetryWindow);

        Assert.That(Fixture.Calls, Has.Count.EqualTo(1), "never retried");
        Assert.That(sink.Health.LastStatus, Is.EqualTo(status));
        Assert.That(sink.Health.IsHealthy, Is.False);
        Assert.That(failures.Statuses("test-sink"), Is.EqualTo(new[] { status.ToString() }));
        Assert.That(sink.ShippedSeq, Is.EqualTo(SpoolCursor.Beginning.Seq), "nothing was skipped");
        Assert.That(File.Exists(Path.Combine(Segments.CursorDirectory, "test-sink.json")), Is.False);

        Fixture.FailWith(null);
        sink.Resume();
        await WaitForDeliveryAsync(Segments.LastSeq, TimeSpan.FromSeconds(20));
        Assert.That(DistinctSeqs(), Is.EqualTo(Range(1, Segments.LastSeq)));
    }

    [Test]
    public async Task A_token_the_service_does_not_accept_gets_one_401()
    {
        await File.WriteAllTextAsync(TokenFile, "not-the-right-token");
        Segments.AppendMany(5);
        var sink = CreateSink();
        await sink.StartAsync(CancellationToken.None);

        await WaitUntilAsync(() => sink.Health.State == SinkState.Halted, TimeSpan.FromSeconds(10), "the sink to halt");
        await Task.Delay(RetryWindow);

        Assert.That(Fixture.Calls.Select(c => c.Status), Is.EqualTo(new[] { 401 }));
        Assert.That(sink.Health.Detail, Does.Contain("InvalidToken").And.Not.Contain("not-the-right-token"));
    }

    [Test]
    public async Task An_unknown_rule_id_gets_one_404()
    {
        Segments.AppendMany(5);
        var sink = CreateSink(ruleId: "dcr-does-not-exist");
        await sink.StartAsync(CancellationToken.None);

        await WaitUntilAsync(() => sink.Health.State == SinkState.Halted, TimeSpan.FromSeconds(10), "the sink to halt");
        await Task.Delay(RetryWindow);

        Assert.That(Fixture.Calls.Select(c => c.Status), Is.EqualTo(new[] { 404 }));
        Assert.That(sink.Health.Detail, Does.Contain("DcrNotFound"));
    }

    [Test]
    public async Task A_body_over_the_service_limit_gets_one_413()
    {
        // A sink misconfigured with a larger body cap than the service allows: the service's 413 must not be retried.
        Segments.AppendMany(300, payloadBytes: 8 * 1024);
        var sink = CreateSink(o => o with { MaxBodyBytes = 4 * 1024 * 1024 });
        await sink.StartAsync(CancellationToken.None);

        await WaitUntilAsync(() => sink.Health.State == SinkState.Halted, TimeSpan.FromSeconds(10), "the sink to halt");
        await Task.Delay(RetryWindow);

        Assert.That(Fixture.Calls.Select(c => c.Status), Is.EqualTo(new[] { 413 }));
        Assert.That(Fixture.Records, Is.Empty);
    }

    /// <summary>Listens to <c>gateway.sink.failures</c> on the Gateway meter.</summary>
    private sealed class FailureRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Sink, string Status)> _failures = [];

        public FailureRecorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Gateway" && instrument.Name == "gateway.sink.failures")
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                string? sink = null, status = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "sink")
                        sink = tag.Value as string;
                    else if (tag.Key == "status")
                        status = tag.Value as string;
                }
                lock (_failures)
                    _failures.Add((sink ?? "", status ?? ""));
            });
            _listener.Start();
        }

        public List<string> Statuses(string sink)
        {
            lock (_failures)
                return [.. _failures.Where(f => f.Sink == sink).Select(f => f.Status)];
        }

        public void Dispose() => _listener.Dispose();
    }
}
