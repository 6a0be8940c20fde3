using System.CommandLine;
using Gateway.Host.Hosting;
using Gateway.Host.Logging;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Cli;

/// <summary><c>gateway run --config F</c>: serve every listener until SIGTERM/SIGINT, then drain.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = CliConfig.CreateOption();
        var command = new Command("run", "Run the gateway: serve every listener in the config until SIGTERM or Ctrl-C, then drain") { config };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var loaded = CliConfig.TryLoad(parse.GetValue(config)!);
            if (loaded is null)
                return ExitCodes.ConfigError;

            using var loggers = GatewayLogging.CreateFactory(loaded.Logging);
            var logger = loggers.CreateLogger("Gateway");
            GatewayRuntime runtime;
            try
            {
                runtime = await GatewayRuntime.StartAsync(loaded, loggers, cancellationToken).ConfigureAwait(false);
            }
            catch (GatewayStartException e)
            {
                logger.LogCritical("the gateway cannot start: {Reason}", e.Message);
                return ExitCodes.RuntimeError;
            }

            await using (runtime.ConfigureAwait(false))
            {
                return await GatewayHost.RunAsync(loaded, runtime.Services, runtime.Handlers, runtime.Health,
                    onStopped: () => Task.CompletedTask, cancellationToken).ConfigureAwait(false);
            }
        });
        return command;
    }
}
