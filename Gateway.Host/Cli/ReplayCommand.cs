using System.CommandLine;
using Gateway.Core.Config;
using Gateway.Core.FrameLog;
using Gateway.Host.Replay;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway replay --config F --list [--subject S] [--since 24h] [--format text|ids]</c> lists recorded sessions
/// (a table, or only their ids, one per line, newest last);
/// <c>gateway replay --config F SESSION [--speed 10] [--no-wait] [--format text|asciicast] [--output FILE]</c>
/// plays one as its client saw it. Sessions come from an <see cref="ISessionSource"/>: the local frame log, or with
/// <c>--from-azure --workspace ID</c> the Log Analytics workspace it ships to (<see cref="ReplayAzureOptions"/>).
/// </summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var config = CliConfig.CreateOption();
        var session = new Argument<string?>("session") { Description = "Session id (or a unique prefix) to play", Arity = ArgumentArity.ZeroOrOne };
        var list = new Option<bool>("--list") { Description = "List recorded sessions" };
        var subject = new Option<string?>("--subject") { Description = "With --list: only sessions of this subject" };
        var since = new Option<string?>("--since")
        {
            Description = "With --list: only sessions active within this long, e.g. 24h; with --from-azure also how far back to search",
        };
        var speed = new Option<double>("--speed") { Description = "Play this many times faster than recorded", DefaultValueFactory = _ => 1 };
        var noWait = new Option<bool>("--no-wait") { Description = "Print everything at once" };
        var idleLimit = new Option<string?>("--idle-limit") { Description = "Cap each pause at this long, e.g. 2s" };
        var format = new Option<string>("--format")
        {
            Description = "Playing: text or asciicast (asciinema v2); with --list: text (a table) or ids (session ids, one per line)",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "asciicast", "ids");
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write to this file instead of the terminal" };

        var azure = new ReplayAzureOptions();

        var command = new Command("replay", "List recorded sessions or play one back as the client saw it")
        {
            config, session, list, subject, since, speed, noWait, idleLimit, format, output,
        };
        foreach (var option in azure.All)
            command.Options.Add(option);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var loaded = CliConfig.TryLoad(parse.GetValue(config)!);
            if (loaded is null)
                return ExitCodes.ConfigError;
            if (azure.Misplaced(parse) is { } misplaced)
            {
                Console.Error.WriteLine(misplaced);
                return ExitCodes.ConfigError;
            }
            var listing = parse.GetValue(list);
            var chosenFormat = parse.GetValue(format)!;
            if (listing ? chosenFormat == "asciicast" : chosenFormat == "ids")
            {
                Console.Error.WriteLine(listing ? "--list prints a table (--format text) or ids (--format ids)" : "--format ids goes with --list");
                return ExitCodes.ConfigError;
            }
            TimeSpan? window = null;
            if (parse.GetValue(since) is { } sinceText)
            {
                if (!DurationText.TryParse(sinceText, out var parsedSince))
                {
                    Console.Error.WriteLine($"--since: '{sinceText}' is not a duration (e.g. 24h, 7d)");
                    return ExitCodes.ConfigError;
                }
                window = parsedSince;
            }

            var id = parse.GetValue(session);
            var timing = new ReplayTiming(1, null);
            if (!listing)
            {
                if (string.IsNullOrEmpty(id))
                {
                    Console.Error.WriteLine("give a SESSION to play, or --list");
                    return ExitCodes.ConfigError;
                }
                if (parse.GetValue(speed) is var factor && factor <= 0)
                {
                    Console.Error.WriteLine("--speed must be positive");
                    return ExitCodes.ConfigError;
                }
                TimeSpan? idle = null;
                if (parse.GetValue(idleLimit) is { } idleText)
                {
                    if (!DurationText.TryParse(idleText, out var parsed))
                    {
                        Console.Error.WriteLine($"--idle-limit: '{idleText}' is not a duration (e.g. 2s)");
                        return ExitCodes.ConfigError;
                    }
                    idle = parsed;
                }
                timing = new ReplayTiming(factor, idle);
            }

            var source = CreateSource(loaded, parse, azure, window);
            if (source is null)
                return ExitCodes.ConfigError;
            using var disposable = source as IDisposable;
            return listing
                ? await ListAsync(source, parse.GetValue(subject), window, chosenFormat == "ids", cancellationToken).ConfigureAwait(false)
                : await PlayAsync(source, id!, timing, !parse.GetValue(noWait), chosenFormat, parse.GetValue(output), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The one place a session source is chosen: the local frame log, or the workspace with --from-azure.</summary>
    /// <returns>Null when the Azure options are unusable (printed).</returns>
    private static ISessionSource? CreateSource(GatewayConfig config, ParseResult parse, ReplayAzureOptions azure, TimeSpan? lookback) =>
        parse.GetValue(azure.FromAzure)
            ? azure.TryCreateSource(parse, config, lookback)
            : new LocalSessionSource(FrameLogPaths.LogDirectory(config.StateDirectory));

    private static async Task<int> ListAsync(ISessionSource source, string? subject, TimeSpan? since, bool idsOnly, CancellationToken cancellationToken)
    {
        var query = new SessionQuery { Subject = subject, ActiveSince = DateTimeOffset.UtcNow - since };
        if (idsOnly)
        {
            // For scripts: nothing but ids, oldest first, so the newest is the last line.
            try
            {
                await foreach (var summary in source.ListAsync(query, cancellationToken).ConfigureAwait(false))
                    Console.Out.WriteLine(summary.SessionId);
            }
            catch (Exception e) when (IsReadFailure(e))
            {
                Console.Error.WriteLine($"cannot read sessions: {Describe(e)}");
                return ExitCodes.RuntimeError;
            }
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("Session", "Subject", "Kind", "Target", "Start (UTC)", "End (UTC)", "Commands", "Denials");
        table.Columns[6].RightAligned();
        table.Columns[7].RightAligned();
        try
        {
            await foreach (var summary in source.ListAsync(query, cancellationToken).ConfigureAwait(false))
            {
                var target = summary.Database is null ? summary.Target ?? "" : $"{summary.Target}/{summary.Database}";
                table.AddRow(
                    new Text(summary.SessionId), new Text(summary.Subject ?? ""), new Text(summary.IdentityKind ?? ""), new Text(target),
                    new Text(Time(summary.Start)), new Text(summary.End is { } end ? Time(end) : "open"),
                    new Text(summary.Commands.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new Text(summary.Denials.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            Console.Error.WriteLine($"cannot read sessions: {Describe(e)}");
            return ExitCodes.RuntimeError;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
            console.Profile.Width = 240;
        console.Write(table);
        return ExitCodes.Ok;
    }

    private static async Task<int> PlayAsync(
        ISessionSource source, string id, ReplayTiming timing, bool wait, string format, FileInfo? output, CancellationToken cancellationToken)
    {
        SessionRecording? recording;
        try
        {
            recording = await source.LoadAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (AmbiguousSessionException e)
        {
            Console.Error.WriteLine(e.Message);
            return ExitCodes.ConfigError;
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            Console.Error.WriteLine($"cannot read the session: {Describe(e)}");
            return ExitCodes.RuntimeError;
        }
        if (recording is null)
        {
            Console.Error.WriteLine($"no session '{id}' in {(source is AzureSessionSource ? "the workspace" : "the frame log")}");
            return ExitCodes.Finding;
        }
        foreach (var warning in recording.Warnings)
            Console.Error.WriteLine($"warning: {warning}");

        var frames = TranscriptRenderer.Render(recording);
        if (format == "asciicast")
        {
            var stream = output is null ? Console.OpenStandardOutput() : File.Create(output.FullName);
            await using (stream.ConfigureAwait(false))
                await AsciicastWriter.WriteAsync(stream, recording, frames, timing, cancellationToken).ConfigureAwait(false);
        }
        else if (output is not null)
        {
            var writer = new StreamWriter(output.FullName);
            await using (writer.ConfigureAwait(false))
                await TextPlayer.PlayAsync(frames, timing, wait: false, writer, cancellationToken).ConfigureAwait(false);
        }
        else if (Console.IsOutputRedirected)
        {
            await TextPlayer.PlayAsync(frames, timing, wait, Console.Out, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await TextPlayer.PlayAsync(frames, timing, wait, AnsiConsole.Console, cancellationToken).ConfigureAwait(false);
        }
        return ExitCodes.Ok;
    }

    /// <summary>The source could not be read (local files, or the workspace: HTTP error, credential, answer shape).</summary>
    private static bool IsReadFailure(Exception e) =>
        e is IOException or InvalidDataException or UnauthorizedAccessException or global::Azure.RequestFailedException
            or global::Azure.Identity.AuthenticationFailedException or global::Azure.Identity.CredentialUnavailableException;

    /// <summary>One line: a service error's status and code rather than Azure.Core's dump of headers and body.</summary>
    private static string Describe(Exception e) => e is global::Azure.RequestFailedException failed
        ? $"the workspace answered HTTP {failed.Status}{(failed.ErrorCode is { } code ? $" {code}" : "")}: {failed.Message.Split('\n')[0]}"
        : e.Message;

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}
