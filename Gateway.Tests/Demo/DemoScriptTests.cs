using System.Net;
using System.Net.Sockets;
using Gateway.Tests.Postgres.EndToEnd;

namespace Gateway.Tests.Demo;

/// <summary>
/// The README's main command, end to end: demo/run-demo.ps1 -Once (what `build.ps1 demo -Once` runs after
/// publishing) with the gateway built for this test run. Its output must show the denial, the masking, the
/// cancel and the replay, and it must exit 0.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DemoScriptTests
{
    [Test]
    public async Task Demo_once_shows_an_audited_blocked_and_masked_agent_session_and_exits_0()
    {
        var gateway = Path.Combine(AppContext.BaseDirectory, "gateway");
        var result = await ProcessRunner.RunAsync("dotnet",
            ["pwsh", "-NoProfile", "-File", Path.Combine(RepoPaths.Root, "demo", "run-demo.ps1"), "-Gateway", gateway, "-Once", "-Port", FreePort().ToString()],
            timeout: TimeSpan.FromMinutes(3), workingDirectory: RepoPaths.Root);

        Assert.That(result.ExitCode, Is.Zero, result.Output);
        Assert.That(result.Stdout, Does.Contain("ERROR:  denied by rule agents-no-ddl"), "the DROP TABLE is blocked with the rule id");
        Assert.That(result.Stdout, Does.Contain(" Ada Lovelace      | ****  | ****"), "e-mail and card number are masked");
        Assert.That(result.Stdout, Does.Contain("canceling statement due to user request"));
        Assert.That(result.Stdout, Does.Contain("postgres=> DROP TABLE customers;"), "the replay shows the session");
        Assert.That(result.Stdout, Does.Contain("frame log intact"));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
