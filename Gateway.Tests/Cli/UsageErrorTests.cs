using Gateway.Tests.FrameLog;
using Gateway.Tests.Postgres.EndToEnd;

namespace Gateway.Tests.Cli;

/// <summary>
/// A command line the parser rejects exits 2 (ExitCodes.ConfigError), never System.CommandLine's default 1, which
/// scripts read as a finding (verify: chain broken; rules test: new denials).
/// </summary>
public sealed class UsageErrorTests
{
    [TestCase("", TestName = "No subcommand")]
    [TestCase("replay", TestName = "A required option missing")]
    [TestCase("rules test --config gateway.yaml", TestName = "rules test without --rules")]
    [TestCase("verify --config gateway.yaml --bogus", TestName = "An unknown option")]
    [TestCase("replay --config gateway.yaml --format mp4", TestName = "A value outside the accepted ones")]
    [TestCase("rules frobnicate", TestName = "An unknown subcommand")]
    public async Task Usage_errors_exit_2_with_the_parser_message(string commandLine)
    {
        var (exit, _, error) = await CliRun.RunAsync(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error, Is.Not.Empty, "the parser says what is wrong");
    }

    [Test]
    public async Task Help_is_not_an_error()
    {
        var (exit, output, _) = await CliRun.RunAsync("rules", "test", "--help");

        Assert.That(exit, Is.Zero);
        Assert.That(output, Does.Contain("--fail-on-new-denials"));
    }

    [Test]
    public async Task The_gateway_process_exits_2_on_a_usage_error()
    {
        var gateway = Path.Combine(AppContext.BaseDirectory, "gateway.dll");

        var result = await ProcessRunner.RunAsync("dotnet", [gateway, "replay", "--list"]);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Output);
        Assert.That(result.Stderr, Does.Contain("--config"));
    }
}
