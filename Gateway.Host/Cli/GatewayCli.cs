using System.CommandLine;

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
}
