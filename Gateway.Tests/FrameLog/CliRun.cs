using Gateway.Host.Cli;

namespace Gateway.Tests.FrameLog;

/// <summary>Runs the real <c>gateway</c> command line in-process and captures what it prints.</summary>
internal static class CliRun
{
    private static readonly SemaphoreSlim ConsoleLock = new(1, 1);

    public static string WriteConfig(FrameLogFixture log)
    {
        var path = Path.Combine(log.StateDirectory, "gateway.yaml");
        File.WriteAllText(path, $"node: node-a\nstate_dir: {log.StateDirectory}\nidentity:\n  dev_issuer: true\n");
        return path;
    }

    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        await ConsoleLock.WaitAsync();
        var (stdout, stderr) = (Console.Out, Console.Error);
        var (capturedOut, capturedErr) = (new StringWriter(), new StringWriter());
        try
        {
            Console.SetOut(capturedOut);
            Console.SetError(capturedErr);
            var exit = await GatewayCli.InvokeAsync(args);
            return (exit, capturedOut.ToString(), capturedErr.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            ConsoleLock.Release();
        }
    }
}
