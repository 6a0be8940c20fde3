using Gateway.Core.Config;
using Gateway.Core.Diagnostics;
using Gateway.Core.FrameLog;
using Gateway.Core.Identity;
using Gateway.Core.Masking;
using Gateway.Core.Policy;
using Gateway.Core.Sessions;
using Gateway.Host.Sinks;
using Gateway.Protocols.Postgres.Session;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// Everything a running gateway is made of, composed from one configuration: token validation, the frame log and
/// its sinks, each listener's rules, and the protocol handlers. <c>gateway run</c> and the integration tests build
/// the gateway the same way, through this class.
/// </summary>
public sealed class GatewayRuntime : IAsyncDisposable
{
    private readonly List<PolicySource> _policies;
    private readonly TokenValidator _tokens;
    private readonly FrameLogWriter _frameLog;
    private readonly SinkSet _sinks;

    private GatewayRuntime(GatewayConfig config, ILoggerFactory loggers, TokenValidator tokens, FrameLogWriter frameLog,
        SinkSet sinks, List<PolicySource> policies)
    {
        Config = config;
        Loggers = loggers;
        _tokens = tokens;
        _frameLog = frameLog;
        _sinks = sinks;
        _policies = policies;
        Services = new GatewayServices
        {
            Config = config,
            Tokens = tokens,
            FrameLog = frameLog,
            Loggers = loggers,
            Policies = policies.ToDictionary(p => p.Name, p => (IPolicySource)p, StringComparer.Ordinal),
        };
        var refusals = Services.RefusalRecords;
        Services.Metrics.TrackUnrecordedRefusals(() => refusals.UnrecordedTotal);
        var postgres = new PostgresProtocolHandler(loggers, time: Services.Time);
        Services.Metrics.TrackIdleUpstreamSessions(() => postgres.IdleUpstreamSessions);
        Handlers = [postgres];
        Health = [new FrameLogHealth(frameLog), new SinkHealthContributor(sinks)];
    }

    public GatewayConfig Config { get; }
    public ILoggerFactory Loggers { get; }
    public GatewayServices Services { get; }
    public IReadOnlyList<IProtocolHandler> Handlers { get; }
    public IReadOnlyList<IHealthContributor> Health { get; }
    public FrameLogWriter FrameLog => _frameLog;

    /// <summary>Builds every service; a failure (rules that do not load, an unwritable log) is a <see cref="GatewayStartException"/>.</summary>
    public static async Task<GatewayRuntime> StartAsync(GatewayConfig config, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        var stateDirectory = config.StateDirectory;
        Directory.CreateDirectory(stateDirectory);
        var policies = new List<PolicySource>();
        TokenValidator? tokens = null;
        FrameLogWriter? frameLog = null;
        SinkSet? sinks = null;
        try
        {
            var maskingKey = MaskingKey.LoadOrCreate(stateDirectory);
            foreach (var listener in config.Listeners)
            {
                policies.Add(PolicySource.Start(listener.Name, listener.Rules.Select(config.ResolvePath), maskingKey,
                    loggers.CreateLogger("Gateway.Policy")));
            }
            tokens = TokenValidator.Create(config, loggers);
            sinks = SinkSet.Create(config, loggers);
            frameLog = await FrameLogWriter.OpenAsync(config.Audit, stateDirectory, config.Node,
                new FrameLogWriterOptions { Logger = loggers.CreateLogger("Gateway.FrameLog"), SpoolStatus = sinks },
                cancellationToken).ConfigureAwait(false);
            await sinks.StartAsync(cancellationToken).ConfigureAwait(false);
            return new GatewayRuntime(config, loggers, tokens, frameLog, sinks, policies);
        }
        catch (Exception e) when (e is ConfigException or FrameLogUnavailableException or IOException or UnauthorizedAccessException)
        {
            foreach (var policy in policies)
                policy.Dispose();
            tokens?.Dispose();
            if (frameLog is not null)
                await frameLog.DisposeAsync().ConfigureAwait(false);
            if (sinks is not null)
                await sinks.DisposeAsync().ConfigureAwait(false);
            throw new GatewayStartException(e.Message, e);
        }
    }

    /// <summary>
    /// Stops in dependency order: the handlers (idle upstream sessions closed), rules, then the log is flushed and
    /// closed, then the sinks ship what is left.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var handler in Handlers.OfType<IAsyncDisposable>())
            await handler.DisposeAsync().ConfigureAwait(false);
        foreach (var policy in _policies)
            policy.Dispose();
        await _frameLog.DisposeAsync().ConfigureAwait(false);
        await _sinks.DisposeAsync().ConfigureAwait(false);
        _tokens.Dispose();
    }

    private sealed class FrameLogHealth(FrameLogWriter log) : IHealthContributor
    {
        public string Name => "frame_log";
        public bool Healthy => log.Healthy;
        public string? Detail => log.LastError;
    }

    private sealed class SinkHealthContributor(SinkSet sinks) : IHealthContributor
    {
        public string Name => "sinks";
        public bool Healthy => sinks.IsHealthy;
        public string? Detail => sinks.IsHealthy ? null : "a sink is failing (see /metrics and the log)";
    }
}
