using System.CommandLine;
using FindingSeverity = Gateway.Core.Policy.FindingSeverity;
using RuleLinter = Gateway.Core.Policy.RuleLinter;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway rules ...</c>: tools for rule files. <c>lint</c> lives here; <c>test</c> (the backtest) in
/// <see cref="RulesTestCommand"/>.
/// </summary>
internal static class RulesCommand
{
    public static Command Create()
    {
        var rules = new Command("rules", "Check and test rule files.");
        rules.Subcommands.Add(CreateLint());
        rules.Subcommands.Add(RulesTestCommand.Create());
        return rules;
    }

    private static Command CreateLint()
    {
        var files = new Argument<FileInfo[]>("files")
        {
            Description = "Rule files, in the order a listener lists them (ids must be unique across them; order decides shadowing).",
            Arity = ArgumentArity.OneOrMore,
        };
        var lint = new Command("lint", "Report schema errors, unknown statement kinds and detectors, duplicate ids, shadowed rules and mask rules that mask nothing. Exit 1 on errors.")
        {
            files,
        };
        lint.SetAction(parseResult => Lint(parseResult.GetValue(files) ?? [], Console.Out));
        return lint;
    }

    /// <returns><see cref="ExitCodes.Finding"/> when any error was found, otherwise <see cref="ExitCodes.Ok"/> (warnings printed).</returns>
    internal static int Lint(IReadOnlyList<FileInfo> files, TextWriter output)
    {
        var findings = RuleLinter.Lint(files.Select(f => f.FullName));
        foreach (var finding in findings)
            output.WriteLine(finding);

        var errors = findings.Count(f => f.Severity == FindingSeverity.Error);
        var warnings = findings.Count - errors;
        output.WriteLine(errors == 0
            ? $"rules lint: {files.Count} file{(files.Count == 1 ? "" : "s")} clean{(warnings > 0 ? $", {warnings} warning{(warnings == 1 ? "" : "s")}" : "")}"
            : $"rules lint: {errors} error{(errors == 1 ? "" : "s")}, {warnings} warning{(warnings == 1 ? "" : "s")}");
        return errors == 0 ? ExitCodes.Ok : ExitCodes.Finding;
    }
}
