using System.Net;
using Gateway.Core.Config;
using Gateway.Core.Diagnostics;
using Gateway.Core.Sessions;
using Gateway.Host.Admin;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// Runs the gateway's listeners and admin endpoint, and stops them gracefully: stop accepting everywhere,
/// signal <see cref="ClientConnection.Draining"/>, wait up to each listener's <c>shutdown_timeout</c>, abort
/// what is left, stop the admin endpoint, then run the registered shutdown steps (frame-log flush) in order.
/// <see cref="RunAsync"/> is the whole process lifetime for <c>gateway run</c>, signals included.
/// </summary>
public sealed partial class GatewayHost : IAsyncDisposable
{
    private readonly GatewayConfig _config;
    private readonly GatewayServices _services;
    private readonly IReadOnlyDictionary<string, IProtocolHandler> _handlers;
    private readonly ListenerOptions? _listenerOptions;
    private readonly HealthCheck _health;
    private readonly ILogger _logger;
    private readonly List<Listener> _listeners = [];
    private readonly List<Func<Task>> _onStopped = [];
    private readonly Lock _lock = new();
    private AdminEndpoint? _admin;
    private PrometheusExporter? _exporter;
    private Task<bool>? _stopping;
    private volatile bool _draining;

    /// <param name="handlers">One per protocol; each listener is served by the handler of its <c>protocol</c>.</param>
    /// <param name="health">What <c>/healthz</c> checks besides each listener's rules (added automatically).</param>
    public GatewayHost(
        GatewayConfig config, GatewayServices services, IEnumerable<IProtocolHandler> handlers,
        IEnumerable<IHealthContributor> health, ListenerOptions? listenerOptions = null)
    {
        _config = config;
        _services = services;
        _listenerOptions = listenerOptions;
        _logger = services.Loggers.CreateLogger<GatewayHost>();

        var byProtocol = new Dictionary<string, IProtocolHandler>(StringComparer.Ordinal);
        foreach (var handler in handlers)
        {
            if (!byProtocol.TryAdd(handler.Protocol, handler))
                throw new ArgumentException($"two handlers for protocol {handler.Protocol}", nameof(handlers));
        }
        _handlers = byProtocol;

        var contributors = health.ToList();
        foreach (var (listener, source) in services.Policies.OrderBy(p => p.Key, StringComparer.Ordinal))
            contributors.Add(new PolicySourceHealth(listener, source));
        _health = new HealthCheck(contributors, () => _draining);
    }

    public IReadOnlyList<Listener> Listeners => _listeners;

    /// <summary>The admin endpoint's bound address; null when <c>admin.bind</c> is empty or before start.</summary>
    public IPEndPoint? AdminEndPoint => _admin?.LocalEndPoint;

    public bool IsDraining => _draining;

    /// <summary>A step to run after every session ended, in registration order (e.g. flush and close the frame log).</summary>
    public void OnStopped(Func<Task> callback)
    {
        lock (_lock)
            _onStopped.Add(callback);
    }

    /// <summary>
    /// Starts every listener, then the admin endpoint. Fails fast: the first that cannot start stops those
    /// already started and throws a <see cref="GatewayStartException"/> naming it.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            foreach (var config in _config.Listeners)
            {
                if (!_handlers.TryGetValue(config.Protocol, out var handler))
                    throw new GatewayStartException($"listener {config.Name}: no handler for protocol {config.Protocol}");
                var listener = new Listener(config, handler, _services, _listenerOptions);
                try
                {
                    listener.Start();
                }
                catch (ListenerStartException e)
                {
                    throw new GatewayStartException(e.Message, e);
                }
                _listeners.Add(listener);
            }
            await StartAdminAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            foreach (var listener in _listeners)
                await listener.DisposeAsync().ConfigureAwait(false);
            _listeners.Clear();
            _exporter?.Dispose();
            _exporter = null;
            throw;
        }
        HostLog.Started(_logger, _listeners.Count, _admin is null ? "" : $", admin on http://{_admin.LocalEndPoint}");
    }

    /// <summary>
    /// The graceful shutdown; idempotent (every call returns the same task). Listening sockets close before
    /// this method returns its task. True when every shutdown step succeeded.
    /// </summary>
    public Task<bool> StopAsync()
    {
        lock (_lock)
            return _stopping ??= StopCoreAsync();
    }

    /// <summary>Aborts the sessions still draining now instead of at their <c>shutdown_timeout</c>.</summary>
    public void AbortSessions()
    {
        foreach (var listener in _listeners)
            listener.AbortSessions();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task StartAdminAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(_config.Admin.Bind))
            return;
        if (!ConfigValidator.TryParseBind(_config.Admin.Bind, out var bind))
            throw new GatewayStartException($"admin endpoint: bind '{_config.Admin.Bind}' is not host:port");
        _exporter = new PrometheusExporter(_services.Metrics.Meter);
        try
        {
            _admin = await AdminEndpoint.StartAsync(bind, _health, _exporter, _services.Loggers, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new GatewayStartException($"admin endpoint: cannot bind {_config.Admin.Bind}: {e.Message}", e);
        }
    }

    private async Task<bool> StopCoreAsync()
    {
        _draining = true;
        // Each listener closes its socket before its first await, so all stop accepting before any drains.
        var shutdowns = _listeners.Select(l => l.ShutdownAsync(l.Config.ShutdownTimeout)).ToArray();
        var aborted = (await Task.WhenAll(shutdowns).ConfigureAwait(false)).Sum();

        var clean = true;
        if (_admin is not null)
        {
            try
            {
                await _admin.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                HostLog.AdminStopFailed(_logger, e);
            }
        }
        _exporter?.Dispose();

        Func<Task>[] steps;
        lock (_lock)
            steps = [.. _onStopped];
        foreach (var step in steps)
        {
            try
            {
                await step().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                clean = false;
                HostLog.ShutdownCallbackFailed(_logger, e);
            }
        }
        HostLog.Stopped(_logger, aborted);
        return clean;
    }
}
