using System.Security.Cryptography;
using System.Text;
using Gateway.Core.Config;
using Gateway.Host.Azure;

namespace Gateway.Host.Sinks;

/// <summary>Everything an <see cref="AzureMonitorSink"/> needs besides its client; <see cref="From"/> maps the config.</summary>
public sealed record AzureMonitorSinkOptions
{
    public required string Name { get; init; }

    /// <summary><c>{state_dir}/log</c>: the frame-log segments.</summary>
    public required string LogDirectory { get; init; }

    /// <summary><c>{state_dir}/cursors</c>.</summary>
    public required string CursorDirectory { get; init; }

    public long MaxSpoolBytes { get; init; } = 10L * 1024 * 1024 * 1024;
    public SpoolFullBehavior OnSpoolFull { get; init; } = SpoolFullBehavior.Refuse;
    public int BatchRecords { get; init; } = 500;

    /// <summary>A partly filled batch is sent at the latest this long after its first record was read.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the growing segment is checked for new lines when there is nothing to send.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Uncompressed body cap per call; the service's limit unless a test wants smaller calls.</summary>
    public int MaxBodyBytes { get; init; } = LogsIngestionClient.MaxBodyBytes;

    /// <summary>Lines longer than this are not buffered (the writer's capture caps keep records far smaller).</summary>
    public int MaxLineBytes { get; init; } = 16 * 1024 * 1024;

    public string CursorPath => Path.Combine(CursorDirectory, Name + ".json");

    public static AzureMonitorSinkOptions From(GatewayConfig config, SinkConfig sink) => new()
    {
        Name = DefaultName(sink),
        LogDirectory = Path.Combine(config.StateDirectory, "log"),
        CursorDirectory = Path.Combine(config.StateDirectory, "cursors"),
        MaxSpoolBytes = config.Audit.MaxSpool,
        OnSpoolFull = config.Audit.OnSpoolFull,
        BatchRecords = Math.Max(1, sink.BatchRecords),
        FlushInterval = sink.FlushInterval > TimeSpan.Zero ? sink.FlushInterval : TimeSpan.FromSeconds(2),
    };

    /// <summary>
    /// <c>azure_monitor-{8 hex}</c> from the destination (endpoint, rule, stream): reordering the sink list keeps
    /// each cursor, and a new destination starts from the oldest local segment, as it should.
    /// </summary>
    public static string DefaultName(SinkConfig sink)
    {
        var destination = $"{sink.Endpoint?.TrimEnd('/')}|{sink.RuleId}|{sink.Stream}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(destination));
        return $"azure_monitor-{Convert.ToHexStringLower(hash.AsSpan(0, 4))}";
    }
}
