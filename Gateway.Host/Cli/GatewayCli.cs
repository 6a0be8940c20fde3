using System.CommandLine;
using System.CommandLine.Invocation;

namespace Gateway.Host.Cli;

/// <summary>The <c>gateway</c> command line. Each subcommand lives in its own file and registers here.</summary>
internal static class GatewayCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Identity-aware gateway between AI agents and PostgreSQL: policy, masking and a tamper-evident frame log.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(RulesCommand.Create());
        root.Subcommands.Add(TokenCommand.Create());
        root.Subcommands.Add(WhoamiCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        return root;
    }

    /// <summary>
    /// Parses and runs a command line. A usage error (unknown option, missing argument, no subcommand) prints the
    /// parser's message and help and exits <see cref="ExitCodes.ConfigError"/>: System.CommandLine's own 1 would
    /// read as a finding (a broken chain, a new denial) to a script.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null,
        CancellationToken cancellationToken = default)
    {
        var parse = Build().Parse(args);
        var exit = await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        return parse.Action is ParseErrorAction ? ExitCodes.ConfigError : exit;
    }
}
