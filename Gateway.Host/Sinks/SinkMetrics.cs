using System.Diagnostics.Metrics;

namespace Gateway.Host.Sinks;

/// <summary>
/// A sink's instruments on the <c>Gateway</c> meter, each tagged <c>sink</c>. Lag and spool gauges are observed
/// from the sink's state; counters are added as calls complete.
/// </summary>
internal sealed class SinkMetrics : IDisposable
{
    public const string MeterName = "Gateway";

    private readonly Meter _meter = new(MeterName);
    private readonly KeyValuePair<string, object?> _sink;
    private readonly Counter<long> _shippedRecords;
    private readonly Counter<long> _shippedBytes;
    private readonly Counter<long> _sentBytes;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _droppedRecords;
    private readonly Counter<long> _truncatedRecords;
    private readonly Counter<long> _skippedLines;

    public SinkMetrics(string sinkName, Func<long> lagRecords, Func<double> lagSeconds, Func<long> unshippedBytes, Func<int> halted)
    {
        _sink = new("sink", sinkName);
        var sink = _sink;
        _shippedRecords = _meter.CreateCounter<long>("gateway.sink.shipped.records", "{record}", "Records accepted by the sink's destination");
        _shippedBytes = _meter.CreateCounter<long>("gateway.sink.shipped.bytes", "By", "Uncompressed JSON bytes accepted by the destination");
        _sentBytes = _meter.CreateCounter<long>("gateway.sink.sent.bytes", "By", "Compressed bytes of accepted calls");
        _failures = _meter.CreateCounter<long>("gateway.sink.failures", "{call}", "Failed calls by status (HTTP code, transport, timeout, credential)");
        _droppedRecords = _meter.CreateCounter<long>("gateway.sink.dropped.records", "{record}", "Records never shipped: drop_oldest or missing from the local log");
        _truncatedRecords = _meter.CreateCounter<long>("gateway.sink.truncated.records", "{record}", "Records cut to fit the per-call limit");
        _skippedLines = _meter.CreateCounter<long>("gateway.sink.skipped.lines", "{line}", "Local lines that are not records (malformed, torn, oversized)");
        _meter.CreateObservableGauge("gateway.sink.lag.records", () => new Measurement<long>(lagRecords(), sink), "{record}",
            "Records written locally and not yet shipped");
        _meter.CreateObservableGauge("gateway.sink.lag.seconds", () => new Measurement<double>(lagSeconds(), sink), "s",
            "Age of the oldest record not yet shipped");
        _meter.CreateObservableGauge("gateway.sink.spool.unshipped.bytes", () => new Measurement<long>(unshippedBytes(), sink), "By",
            "Segment bytes after the sink's cursor");
        _meter.CreateObservableGauge("gateway.sink.halted", () => new Measurement<int>(halted(), sink), "{sink}",
            "1 while the sink waits for an operator after a non-retryable rejection");
    }

    public void Shipped(int records, int uncompressedBytes, int compressedBytes)
    {
        _shippedRecords.Add(records, _sink);
        _shippedBytes.Add(uncompressedBytes, _sink);
        _sentBytes.Add(compressedBytes, _sink);
    }

    public void Failed(string status) => _failures.Add(1, _sink, new("status", status));

    public void Dropped(long records, string reason) => _droppedRecords.Add(records, _sink, new("reason", reason));

    public void Truncated() => _truncatedRecords.Add(1, _sink);

    public void Skipped(string reason, long lines = 1) => _skippedLines.Add(lines, _sink, new("reason", reason));

    public void Dispose() => _meter.Dispose();
}
