using Gateway.Core.Config;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Gateway.Host.Logging;

/// <summary>
/// The process's console logging, from <c>logging:</c> in gateway.yaml: one line per event (text) or one
/// JSON object per line (json), UTC timestamps, session scopes included so every line of a session carries
/// its id. Dispose the factory at exit: the console logger writes on a background queue.
/// </summary>
public static class GatewayLogging
{
    public const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";

    /// <exception cref="ArgumentException"><c>logging.level</c> or <c>logging.format</c> is not a known value.</exception>
    public static ILoggerFactory CreateFactory(LoggingConfig config)
    {
        if (!TryParseLevel(config.Level, out var level))
            throw new ArgumentException($"logging.level '{config.Level}' is not one of: trace, debug, information, warning, error, critical, none");
        var json = config.Format switch
        {
            "text" => false,
            "json" => true,
            _ => throw new ArgumentException($"logging.format '{config.Format}' is not one of: text, json"),
        };

        return LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(level);
            // The admin endpoint's framework chatter is only interesting when something is wrong.
            builder.AddFilter("Microsoft", level > LogLevel.Warning ? level : LogLevel.Warning);
            if (json)
            {
                builder.AddJsonConsole(options =>
                {
                    options.UseUtcTimestamp = true;
                    options.TimestampFormat = TimestampFormat.TrimEnd();
                    options.IncludeScopes = true;
                    options.JsonWriterOptions = new() { Indented = false };
                });
            }
            else
            {
                builder.AddSimpleConsole(options =>
                {
                    options.UseUtcTimestamp = true;
                    options.TimestampFormat = TimestampFormat;
                    options.SingleLine = true;
                    options.IncludeScopes = true;
                    options.ColorBehavior = LoggerColorBehavior.Disabled;
                });
            }
        });
    }

    public static bool TryParseLevel(string text, out LogLevel level)
    {
        LogLevel? parsed = text.ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "information" or "info" => LogLevel.Information,
            "warning" or "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" => LogLevel.Critical,
            "none" => LogLevel.None,
            _ => null,
        };
        level = parsed ?? LogLevel.Information;
        return parsed is not null;
    }
}
