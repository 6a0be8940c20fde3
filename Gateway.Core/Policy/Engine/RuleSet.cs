using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Gateway.Core.Config;
using Gateway.Core.Masking;

namespace Gateway.Core.Policy;

/// <summary>A compiled rule as others may see it (lint output, backtest reports, /rules pages).</summary>
public sealed record RuleSummary(string Id, DecisionAction Action, string File, int Line);

/// <summary>
/// A listener's compiled rules: an immutable snapshot implementing <see cref="IPolicy"/>. Rule files are
/// concatenated in order; for each statement the first matching rule decides, and the command gets the most
/// restrictive of its statements' decisions (mask plans united, limits at their minimum). A command whose
/// text did not parse is denied unless a <c>parse_error: true</c> rule decides it.
/// </summary>
public sealed class RuleSet : IPolicy
{
    /// <summary>The rule id of decisions made by the file default.</summary>
    public const string DefaultRuleId = "default";

    /// <summary>The rule id of the built-in denial of unparsed commands.</summary>
    public const string ParseErrorRuleId = "parse_error";

    private readonly ImmutableArray<CompiledRule> _rules;
    private readonly Decision _default;
    private readonly ConditionalWeakTable<SessionFacts, SessionRuleTable> _sessions = new();
    private readonly ConditionalWeakTable<SessionFacts, SessionRuleTable>.CreateValueCallback _buildSessionTable;

    private RuleSet(RuleCompilation compilation)
    {
        _rules = compilation.Rules;
        Files = compilation.Files;
        Warnings = compilation.Warnings;
        DefaultAction = compilation.DefaultAction;
        Rules = [.. _rules.Select(r => new RuleSummary(r.Id, r.Action, r.File, r.Line))];
        _default = new Decision
        {
            Action = DefaultAction,
            RuleId = DefaultRuleId,
            Message = DefaultAction == DecisionAction.Deny
                ? "no rule allows this command and this listener denies by default; ask the gateway's operators for a rule that allows it"
                : null,
        };
        _buildSessionTable = session => new SessionRuleTable(_rules, session);
    }

    public ImmutableArray<string> Files { get; }

    public ImmutableArray<RuleSummary> Rules { get; }

    /// <summary>What applies when no rule matches a statement: the last file's <c>default</c>.</summary>
    public DecisionAction DefaultAction { get; }

    /// <summary>Problems that do not stop the rules from loading (printed by <c>rules lint</c>).</summary>
    public ImmutableArray<ConfigError> Warnings { get; }

    /// <summary>Reads and compiles rule files.</summary>
    /// <exception cref="ConfigException">With every error of every file.</exception>
    public static RuleSet Load(IEnumerable<string> paths, MaskingKey maskingKey)
    {
        var files = new List<RuleFileText>();
        var errors = new List<ConfigError>();
        foreach (var path in paths)
        {
            var fullPath = Path.GetFullPath(path);
            try
            {
                files.Add(new RuleFileText(fullPath, File.ReadAllText(fullPath)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add(new ConfigError(fullPath, 0, 0, "", $"cannot read: {e.Message}"));
            }
        }
        if (files.Count == 0 && errors.Count > 0)
            throw new ConfigException(errors);
        var compilation = new RuleCompiler(maskingKey).Compile(files);
        errors.AddRange(compilation.Errors);
        return errors.Count > 0 ? throw new ConfigException(errors) : new RuleSet(compilation);
    }

    /// <summary>Compiles rule files already read (hot reload reads them asynchronously).</summary>
    /// <exception cref="ConfigException">With every error of every file.</exception>
    public static RuleSet Parse(IReadOnlyList<RuleFileText> files, MaskingKey maskingKey)
    {
        var compilation = new RuleCompiler(maskingKey).Compile(files);
        return compilation.Errors.Length > 0 ? throw new ConfigException(compilation.Errors) : new RuleSet(compilation);
    }

    public Decision Evaluate(SessionFacts session, Command command)
    {
        var table = _sessions.GetValue(session, _buildSessionTable);
        if (command.ParseError)
            return EvaluateUnparsed(table, command);

        var modifiesData = command.ModifiesData;
        var statements = command.Statements;
        if (statements.IsDefaultOrEmpty)
            return FirstMatchWithoutStatements(table.WithoutStatements, modifiesData);

        var accumulator = new DecisionAccumulator();
        foreach (var statement in statements)
            accumulator.Add(FirstMatch(table.ForKind(statement.Kind), statement, modifiesData));
        return accumulator.Result(_default);
    }

    private Decision FirstMatch(CompiledRule[] candidates, StatementInfo statement, bool modifiesData)
    {
        foreach (var rule in candidates)
        {
            if (rule.MatchesStatement(statement, modifiesData))
                return rule.Decision;
        }
        return _default;
    }

    private Decision FirstMatchWithoutStatements(CompiledRule[] candidates, bool modifiesData)
    {
        foreach (var rule in candidates)
        {
            if (rule.MatchesCommand(modifiesData))
                return rule.Decision;
        }
        return _default;
    }

    /// <summary>Fail closed: only a rule written for unparsed commands may let one through.</summary>
    private static Decision EvaluateUnparsed(SessionRuleTable table, Command command)
    {
        if (table.ParseError.Length > 0)
            return table.ParseError[0].Decision;
        var reason = string.IsNullOrWhiteSpace(command.ParseErrorMessage) ? "" : $": {command.ParseErrorMessage}";
        return new Decision
        {
            Action = DecisionAction.Deny,
            RuleId = ParseErrorRuleId,
            Message = $"the gateway could not parse this command, so it was not sent{reason}. Fix the syntax, or send one plain statement at a time.",
        };
    }
}
