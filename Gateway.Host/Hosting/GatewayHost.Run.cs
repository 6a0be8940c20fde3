using System.Runtime.InteropServices;
using Gateway.Core.Config;
using Gateway.Core.Diagnostics;
using Gateway.Core.Sessions;
using Gateway.Host.Cli;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

public sealed partial class GatewayHost
{
    /// <summary>
    /// The lifetime of <c>gateway run</c>: start (a failure is logged and returns
    /// <see cref="ExitCodes.RuntimeError"/>), serve until SIGTERM/SIGINT or <paramref name="cancellationToken"/>,
    /// drain (a second signal aborts the drain), run <paramref name="onStopped"/>, and return
    /// <see cref="ExitCodes.Ok"/> (or <see cref="ExitCodes.RuntimeError"/> when a shutdown step failed).
    /// </summary>
    public static async Task<int> RunAsync(
        GatewayConfig config, GatewayServices services, IEnumerable<IProtocolHandler> handlers,
        IEnumerable<IHealthContributor> health, Func<Task> onStopped, CancellationToken cancellationToken = default)
    {
        var host = new GatewayHost(config, services, handlers, health);
        host.OnStopped(onStopped);
        var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Registered before start, so a signal during startup still drains instead of killing the process.
        using var signals = new ShutdownSignals(
            first: signal =>
            {
                HostLog.StopRequested(host._logger, SignalName(signal));
                stopRequested.TrySetResult();
            },
            again: signal =>
            {
                HostLog.AbortRequested(host._logger, SignalName(signal));
                host.AbortSessions();
            });
        using var cancelled = cancellationToken.Register(() => stopRequested.TrySetResult());

        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is GatewayStartException or OperationCanceledException)
        {
            if (e is GatewayStartException)
                HostLog.StartFailed(host._logger, e.Message);
            var stoppedCleanly = await host.StopAsync().ConfigureAwait(false);
            return e is GatewayStartException || !stoppedCleanly ? ExitCodes.RuntimeError : ExitCodes.Ok;
        }

        await stopRequested.Task.ConfigureAwait(false);
        return await host.StopAsync().ConfigureAwait(false) ? ExitCodes.Ok : ExitCodes.RuntimeError;
    }

    private static string SignalName(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGTERM => "SIGTERM",
        PosixSignal.SIGINT => "SIGINT",
        _ => signal.ToString(),
    };
}
