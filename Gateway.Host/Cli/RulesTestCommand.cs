using System.CommandLine;
using Gateway.Core.Config;
using Gateway.Core.FrameLog;
using Gateway.Core.Masking;
using RuleSet = Gateway.Core.Policy.RuleSet;
using Gateway.Host.Backtest;
using Gateway.Protocols.Postgres.Analysis;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway rules test --config F --rules NEW.yaml [--rules NEW2.yaml] [--listener NAME] [--since 24h]
/// [--fail-on-new-denials]</c>: the backtest. Judges the commands in the local frame log again under the new rules
/// and prints every change of decision. Exit 1 with <c>--fail-on-new-denials</c> when a command that ran would now
/// be blocked; 2 when the config or the rules do not load.
/// </summary>
internal static class RulesTestCommand
{
    /// <summary>Logs smaller than this are read before a progress bar could show anything.</summary>
    private const long ProgressBarMinBytes = 4 * 1024 * 1024;

    public static Command Create()
    {
        var config = CliConfig.CreateOption();
        var rules = new Option<FileInfo[]>("--rules", "-r")
        {
            Description = "The new rule files, in the order the listener would list them (repeat the option for several)",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        var listener = new Option<string?>("--listener") { Description = "Only commands recorded on this listener" };
        var since = new Option<string?>("--since") { Description = "Only commands recorded within this long, e.g. 24h, 7d" };
        var failOnNewDenials = new Option<bool>("--fail-on-new-denials")
        {
            Description = "Exit 1 when a command that ran (allow, mask, limit, rewrite) would now be denied or need approval",
        };
        var perChange = new Option<int>("--commands-per-change")
        {
            Description = "Distinct commands listed per change (0: all)",
            DefaultValueFactory = _ => 5,
        };

        var command = new Command("test", "Backtest rule files: judge the commands in the frame log again and show every decision that would change.")
        {
            config, rules, listener, since, failOnNewDenials, perChange,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(config)!, parse.GetValue(rules) ?? [], parse.GetValue(listener), parse.GetValue(since),
            parse.GetValue(failOnNewDenials), parse.GetValue(perChange), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo configFile, FileInfo[] ruleFiles, string? listener, string? sinceText,
        bool failOnNewDenials, int perChange, CancellationToken cancellationToken)
    {
        var config = CliConfig.TryLoad(configFile);
        if (config is null)
            return ExitCodes.ConfigError;
        if (perChange < 0)
            return Usage("--commands-per-change must be 0 or more");
        if (listener is not null && !config.Listeners.Any(l => l.Name == listener))
            return Usage($"--listener: no listener '{listener}' in {configFile.Name} (listeners: {string.Join(", ", config.Listeners.Select(l => l.Name))})");
        DateTimeOffset? since = null;
        if (sinceText is not null)
        {
            if (!DurationText.TryParse(sinceText, out var window))
                return Usage($"--since: '{sinceText}' is not a duration (e.g. 24h, 7d)");
            since = DateTimeOffset.UtcNow - window;
        }

        MaskingKey maskingKey;
        try
        {
            // The deployment's key, so `hash` options compile exactly as the gateway compiles them.
            maskingKey = MaskingKey.LoadOrCreate(config.StateDirectory);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return Usage($"masking key in {config.StateDirectory}: {e.Message}");
        }
        RuleSet newRules;
        try
        {
            newRules = RuleSet.Load(ruleFiles.Select(f => f.FullName), maskingKey);
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"the new rules do not load ({e.Errors.Count} error{(e.Errors.Count == 1 ? "" : "s")}):");
            foreach (var error in e.Errors)
                Console.Error.WriteLine($"  {error}");
            return ExitCodes.ConfigError;
        }

        var options = new BacktestOptions { Listener = listener, Since = since, CommandsPerChange = perChange };
        var logDirectory = FrameLogPaths.LogDirectory(config.StateDirectory);
        var backtester = new Backtester(newRules, new SqlAnalyzer());
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
            console.Profile.Width = 240;

        BacktestReport report;
        try
        {
            report = Console.IsOutputRedirected || LogBytes(logDirectory) < ProgressBarMinBytes
                ? await backtester.RunAsync(logDirectory, options, null, cancellationToken).ConfigureAwait(false)
                : await RunWithProgressBarAsync(console, backtester, logDirectory, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"cannot read the frame log: {e.Message}");
            return ExitCodes.RuntimeError;
        }

        var scope = string.Join(", ", new[]
        {
            listener is null ? "all listeners" : $"listener {listener}",
            sinceText is null ? "whole local log" : $"since {sinceText}",
        });
        BacktestReportView.Write(console, report, scope);
        return failOnNewDenials && report.NewDenials > 0 ? ExitCodes.Finding : ExitCodes.Ok;
    }

    private static async Task<BacktestReport> RunWithProgressBarAsync(IAnsiConsole console, Backtester backtester, string logDirectory,
        BacktestOptions options, CancellationToken cancellationToken)
    {
        BacktestReport? report = null;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("reading the frame log", maxValue: 1);
                var progress = new SynchronousProgress(p =>
                {
                    task.MaxValue = Math.Max(1, p.TotalBytes);
                    task.Value = p.BytesRead;
                });
                report = await backtester.RunAsync(logDirectory, options, progress, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return report!;
    }

    private static long LogBytes(string logDirectory) =>
        FrameLogPaths.ListSegments(logDirectory).Sum(s => File.Exists(s.Path) ? new FileInfo(s.Path).Length : 0);

    private static int Usage(string message)
    {
        Console.Error.WriteLine(message);
        return ExitCodes.ConfigError;
    }

    /// <summary>Reports on the caller's thread: <see cref="Progress{T}"/> would post to the thread pool and lag the bar.</summary>
    private sealed class SynchronousProgress(Action<BacktestProgress> report) : IProgress<BacktestProgress>
    {
        public void Report(BacktestProgress value) => report(value);
    }
}
