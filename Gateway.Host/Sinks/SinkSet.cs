using Gateway.Core.Config;
using Gateway.Core.FrameLog;
using Gateway.Host.Azure;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Sinks;

/// <summary>
/// The configured sinks as one unit for the host: built from <c>audit.sinks</c>, started and stopped together,
/// and, for the frame-log writer, one spool (<see cref="ISpoolStatus"/>) whose state is the slowest sink's.
/// </summary>
public sealed class SinkSet : ISpoolStatus, IAsyncDisposable
{
    private readonly List<ISink> _sinks;

    public SinkSet(IEnumerable<ISink> sinks) => _sinks = [.. sinks];

    public IReadOnlyList<ISink> Sinks => _sinks;

    /// <exception cref="InvalidOperationException">A sink cannot be built (unreadable ca_file, secret not set, ...).</exception>
    public static SinkSet Create(GatewayConfig config, ILoggerFactory loggers, TimeProvider? time = null)
    {
        var sinks = new List<ISink>();
        foreach (var sink in config.Audit.Sinks)
        {
            if (sink.Type != "azure_monitor")
                throw new InvalidOperationException($"sink type '{sink.Type}' is not supported");
            sinks.Add(CreateAzureMonitor(config, sink, loggers, time));
        }
        var names = sinks.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (names is not null)
            throw new InvalidOperationException($"two sinks ship to the same destination ({names.Key})");
        return new SinkSet(sinks);
    }

    public static AzureMonitorSink CreateAzureMonitor(GatewayConfig config, SinkConfig sink, ILoggerFactory loggers, TimeProvider? time = null)
    {
        var credential = SinkCredentialFactory.Create(sink.Credential, config.ResolvePath);
        var options = new LogsIngestionClientOptions();
        if (!string.IsNullOrEmpty(sink.CaFile))
            options.Transport = PrivateRootTransport.Create(config.ResolvePath(sink.CaFile));
        var client = new LogsIngestionClient(new Uri(sink.Endpoint!), sink.RuleId!, sink.Stream!, credential, options, time);
        return new AzureMonitorSink(AzureMonitorSinkOptions.From(config, sink), client, loggers.CreateLogger<AzureMonitorSink>(), time);
    }

    public long UnshippedBytes => _sinks.Count == 0 ? 0 : _sinks.Max(s => s.UnshippedBytes);

    public bool SpoolFull => _sinks.Any(s => s.SpoolFull);

    public void Written(long bytes)
    {
        foreach (var sink in _sinks)
            sink.Written(bytes);
    }

    /// <summary><see cref="long.MaxValue"/> without sinks: nothing holds retention back.</summary>
    public long ShippedThroughSeq => _sinks.Count == 0 ? long.MaxValue : _sinks.Min(s => s.ShippedSeq);

    public bool IsHealthy => _sinks.All(s => s.Health.IsHealthy);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var sink in _sinks)
            await sink.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var sink in _sinks)
            await sink.StopAsync(cancellationToken);
    }

    public void ResumeAll()
    {
        foreach (var sink in _sinks)
            sink.Resume();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sink in _sinks)
            await sink.DisposeAsync();
    }
}
