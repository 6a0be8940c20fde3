using System.Diagnostics.Metrics;
using Gateway.Host.Admin;

namespace Gateway.Tests.Hosting;

/// <summary>The text exposition format, checked line by line against the 0.0.4 rules.</summary>
public sealed class PrometheusExporterTests
{
    [Test]
    public void Renders_counters_gauges_labels_and_escapes()
    {
        using var meter = new Meter("Gateway.Test." + Guid.NewGuid().ToString("N"));
        var requests = meter.CreateCounter<long>("test.requests", description: "Requests \\ with a\nnewline");
        var depth = meter.CreateUpDownCounter<int>("test.queue.depth");
        meter.CreateObservableGauge("test.temperature", () => new Measurement<double>(21.5, new KeyValuePair<string, object?>("room", "a\"b")));
        using var exporter = new PrometheusExporter(meter);

        requests.Add(2, new KeyValuePair<string, object?>("path", "/x"), new KeyValuePair<string, object?>("code", 200));
        requests.Add(3, new KeyValuePair<string, object?>("code", 200), new KeyValuePair<string, object?>("path", "/x"));
        requests.Add(1, new KeyValuePair<string, object?>("path", "/y"), new KeyValuePair<string, object?>("code", 500));
        depth.Add(5);
        depth.Add(-2);

        var lines = exporter.Scrape().TrimEnd('\n').Split('\n');

        Assert.That(lines, Is.EqualTo(new[]
        {
            "# TYPE test_queue_depth gauge",
            "test_queue_depth 3",
            "# HELP test_requests_total Requests \\\\ with a\\nnewline",
            "# TYPE test_requests_total counter",
            "test_requests_total{code=\"200\",path=\"/x\"} 5",
            "test_requests_total{code=\"500\",path=\"/y\"} 1",
            "# TYPE test_temperature gauge",
            "test_temperature{room=\"a\\\"b\"} 21.5",
        }));
    }

    [Test]
    public void Ignores_instruments_of_other_meters()
    {
        using var mine = new Meter("Gateway.Test." + Guid.NewGuid().ToString("N"));
        using var other = new Meter("Gateway.Test." + Guid.NewGuid().ToString("N"));
        mine.CreateCounter<long>("mine").Add(1);
        var theirs = other.CreateCounter<long>("theirs");
        using var exporter = new PrometheusExporter(mine);
        theirs.Add(1);

        Assert.That(exporter.Scrape(), Does.Not.Contain("theirs"));
    }
}
