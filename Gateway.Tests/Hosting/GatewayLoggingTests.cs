using System.Text.Json;
using Gateway.Core.Config;
using Gateway.Host.Logging;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Hosting;

[NonParallelizable] // swaps Console.Out
public sealed class GatewayLoggingTests
{
    [Test]
    public void Json_format_writes_one_object_per_line_with_a_utc_timestamp_and_the_session_scope()
    {
        var output = Capture(new LoggingConfig { Format = "json", Level = "information" }, logger =>
        {
            using (logger.BeginScope(new Dictionary<string, object> { ["SessionId"] = "0197-test" }))
                logger.LogInformation("accepted {Count} connections", 3);
            logger.LogDebug("below the level");
        });

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1));
        using var json = JsonDocument.Parse(lines[0]);
        var root = json.RootElement;
        Assert.That(root.GetProperty("Message").GetString(), Is.EqualTo("accepted 3 connections"));
        Assert.That(root.GetProperty("LogLevel").GetString(), Is.EqualTo("Information"));
        Assert.That(root.GetProperty("Timestamp").GetString(), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"));
        Assert.That(root.GetProperty("State").GetProperty("Count").GetInt32(), Is.EqualTo(3));
        Assert.That(root.GetProperty("Scopes")[0].GetProperty("SessionId").GetString(), Is.EqualTo("0197-test"));
    }

    [Test]
    public void Text_format_writes_single_lines_with_a_utc_timestamp()
    {
        var output = Capture(new LoggingConfig { Format = "text", Level = "debug" }, logger =>
        {
            logger.LogDebug("first");
            logger.LogWarning("second");
        });

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(2));
        Assert.That(lines[0], Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z dbug: test\[0\] first$"));
        Assert.That(lines[1], Does.EndWith("warn: test[0] second"));
    }

    [TestCase("verbose")]
    [TestCase("")]
    public void An_unknown_level_is_rejected(string level)
    {
        var error = Assert.Throws<ArgumentException>(() => GatewayLogging.CreateFactory(new LoggingConfig { Level = level }));
        Assert.That(error!.Message, Does.StartWith($"logging.level '{level}' is not one of"));
    }

    [Test]
    public void An_unknown_format_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => GatewayLogging.CreateFactory(new LoggingConfig { Format = "xml" }));
    }

    private static string Capture(LoggingConfig config, Action<ILogger> log)
    {
        var original = Console.Out;
        using var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            // Disposing the factory drains the console logger's background queue.
            using (var factory = GatewayLogging.CreateFactory(config))
                log(factory.CreateLogger("test"));
        }
        finally
        {
            Console.SetOut(original);
        }
        return captured.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}
