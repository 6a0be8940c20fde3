using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Gateway.Host.Admin;

/// <summary>
/// Collects one <see cref="Meter"/> with a <see cref="MeterListener"/> and renders it in the Prometheus text
/// exposition format (version 0.0.4). Observable instruments are read at scrape time; plain counters and
/// up-down counters are summed as they are recorded. Histograms are not exported.
/// Names: <c>gateway.connections.accepted</c> becomes <c>gateway_connections_accepted_total</c>.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly Meter _meter;
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly HashSet<Instrument> _instruments = [];

    /// <summary>Running sums of non-observable instruments, by instrument and rendered label set.</summary>
    private readonly Dictionary<(Instrument, string), double> _sums = [];

    /// <summary>Values reported by observable instruments during the scrape in progress.</summary>
    private readonly List<(Instrument Instrument, string Labels, double Value)> _observed = [];

    private bool _scraping;

    public PrometheusExporter(Meter meter)
    {
        _meter = meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter, _meter) || Kind(instrument) is null)
                return;
            lock (_lock)
                _instruments.Add(instrument);
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.MeasurementsCompleted = (instrument, _) =>
        {
            lock (_lock)
                _instruments.Remove(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public string Scrape()
    {
        lock (_lock)
        {
            _observed.Clear();
            _scraping = true;
            try
            {
                _listener.RecordObservableInstruments();
            }
            finally
            {
                _scraping = false;
            }
            return Render();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        lock (_lock)
        {
            if (instrument.IsObservable)
            {
                // Observable callbacks run inside Scrape, which holds the lock; outside a scrape they are someone else's collection.
                if (_scraping)
                    _observed.Add((instrument, labels, value));
                return;
            }
            _sums[(instrument, labels)] = _sums.GetValueOrDefault((instrument, labels)) + value;
        }
    }

    private string Render()
    {
        var text = new StringBuilder();
        foreach (var instrument in _instruments.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            var kind = Kind(instrument)!;
            var name = MetricName(instrument, kind);
            if (!string.IsNullOrEmpty(instrument.Description))
                text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(instrument.Description)).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(kind).Append('\n');

            IEnumerable<(string Labels, double Value)> samples = instrument.IsObservable
                ? _observed.Where(o => o.Instrument == instrument).Select(o => (o.Labels, o.Value))
                : _sums.Where(s => s.Key.Item1 == instrument).Select(s => (s.Key.Item2, s.Value));
            foreach (var (labels, value) in samples.OrderBy(s => s.Labels, StringComparer.Ordinal))
                text.Append(name).Append(labels).Append(' ').Append(FormatValue(value)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The Prometheus type of an instrument, or null for kinds this exporter does not render.</summary>
    private static string? Kind(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
            return null;
        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>))
            return "counter";
        if (definition == typeof(UpDownCounter<>) || definition == typeof(ObservableUpDownCounter<>)
            || definition == typeof(ObservableGauge<>) || definition == typeof(Gauge<>))
            return "gauge";
        return null;
    }

    private static string MetricName(Instrument instrument, string kind)
    {
        var name = new StringBuilder(instrument.Name.Length + 6);
        foreach (var c in instrument.Name)
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        if (kind == "counter" && !instrument.Name.EndsWith("_total", StringComparison.Ordinal))
            name.Append("_total");
        return name.ToString();
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
            return "";
        var sorted = tags.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var text = new StringBuilder("{");
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i > 0)
                text.Append(',');
            foreach (var c in sorted[i].Key)
                text.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
            text.Append("=\"");
            AppendEscapedLabelValue(text, Convert.ToString(sorted[i].Value, CultureInfo.InvariantCulture) ?? "");
            text.Append('"');
        }
        return text.Append('}').ToString();
    }

    private static void AppendEscapedLabelValue(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => text.Append("\\\\"),
                '"' => text.Append("\\\""),
                '\n' => text.Append("\\n"),
                _ => text.Append(c),
            };
        }
    }

    private static string EscapeHelp(string help) => help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
