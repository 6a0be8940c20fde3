using Gateway.Core.Audit;
using Gateway.Core.Config;
using Gateway.Core.Diagnostics;
using Gateway.Core.FrameLog;
using Gateway.Core.Identity;
using Gateway.Core.Policy;
using Microsoft.Extensions.Logging;

namespace Gateway.Core.Sessions;

/// <summary>The process-wide services a protocol session uses. Built once by the host.</summary>
public sealed class GatewayServices
{
    private RefusalRecordBudget? _refusalRecords;

    public required GatewayConfig Config { get; init; }
    public required ITokenValidator Tokens { get; init; }
    public required IFrameLog FrameLog { get; init; }
    public required ILoggerFactory Loggers { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Counters behind <c>/metrics</c>; one instance per process.</summary>
    public GatewayMetrics Metrics { get; init; } = new();

    /// <summary>Bounds the <c>connection_refused</c> records all listeners write together; on <see cref="Time"/>.</summary>
    public RefusalRecordBudget RefusalRecords
    {
        get => LazyInitializer.EnsureInitialized(ref _refusalRecords, () => new RefusalRecordBudget(Time));
        init => _refusalRecords = value;
    }

    /// <summary>The rules of each listener, by listener name.</summary>
    public required IReadOnlyDictionary<string, IPolicySource> Policies { get; init; }

    public IPolicySource PolicyFor(ListenerConfig listener) => Policies[listener.Name];
}
