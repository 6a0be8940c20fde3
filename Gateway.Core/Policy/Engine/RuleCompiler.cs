using System.Collections.Immutable;
using Gateway.Core.Config;
using Gateway.Core.Identity;
using Gateway.Core.Masking;

namespace Gateway.Core.Policy;

/// <summary>A rule file's path and content, as read for one load.</summary>
public readonly record struct RuleFileText(string Path, string Text);

/// <summary>The outcome of compiling a listener's rule files: rules that compiled, and every problem found.</summary>
internal sealed class RuleCompilation
{
    public required ImmutableArray<string> Files { get; init; }
    public required ImmutableArray<CompiledRule> Rules { get; init; }
    public required DecisionAction DefaultAction { get; init; }
    public required ImmutableArray<ConfigError> Errors { get; init; }
    public required ImmutableArray<ConfigError> Warnings { get; init; }
}

/// <summary>
/// Turns rule files into <see cref="CompiledRule"/>s, validating as it goes and collecting every error (file,
/// line, key) rather than stopping at the first: a security team fixes a policy in one pass.
/// </summary>
internal sealed class RuleCompiler(MaskingKey maskingKey)
{
    private static readonly IReadOnlyDictionary<string, DecisionAction> Actions = new Dictionary<string, DecisionAction>(StringComparer.Ordinal)
    {
        ["allow"] = DecisionAction.Allow,
        ["deny"] = DecisionAction.Deny,
        ["mask"] = DecisionAction.Mask,
        ["require_approval"] = DecisionAction.RequireApproval,
        ["limit"] = DecisionAction.Limit,
        ["rewrite"] = DecisionAction.Rewrite,
    };

    private readonly List<ConfigError> _errors = [];
    private readonly List<ConfigError> _warnings = [];
    private readonly List<CompiledRule> _rules = [];
    private readonly Dictionary<string, (string File, int Line)> _ids = new(StringComparer.Ordinal);
    private string _file = "";

    public RuleCompilation Compile(IReadOnlyList<RuleFileText> files)
    {
        if (files.Count == 0)
            _errors.Add(new ConfigError("", 0, 0, "rules", "no rule files: a listener without rules would fail open"));

        var defaults = new List<(string File, LocatedWord? Default)>();
        foreach (var file in files)
        {
            _file = file.Path;
            RuleFileModel model;
            YamlMarks marks;
            try
            {
                model = StrictYaml.Load<RuleFileModel>(file.Path, file.Text, out marks);
            }
            catch (ConfigException e)
            {
                _errors.AddRange(e.Errors);
                defaults.Add((file.Path, null));
                continue;
            }

            if (model.Version != 1)
                Error(1, 1, "version", model.Version == 0 ? "version: 1 is required" : $"version {model.Version} is not supported (use 1)");
            if (model.Default is { } word && word.Value is not ("allow" or "deny"))
                Error(word.Line, word.Column, "default", $"'{word.Value}' is not allow or deny");
            defaults.Add((file.Path, model.Default));

            for (var i = 0; i < model.Rules.Count; i++)
                CompileRule(model.Rules[i], i, marks);
        }

        var defaultAction = ResolveDefault(defaults);
        return new RuleCompilation
        {
            Files = [.. files.Select(f => f.Path)],
            Rules = [.. _rules],
            DefaultAction = defaultAction,
            Errors = [.. _errors],
            Warnings = [.. _warnings],
        };
    }

    /// <summary>The last file's default decides; absent means deny (fail closed).</summary>
    private DecisionAction ResolveDefault(List<(string File, LocatedWord? Default)> defaults)
    {
        if (defaults.Count == 0)
            return DecisionAction.Deny;
        var last = defaults[^1];
        var action = last.Default?.Value == "allow" ? DecisionAction.Allow : DecisionAction.Deny;
        if (last.Default is null)
            _warnings.Add(new ConfigError(last.File, 0, 0, "default", "no default in the last rule file: commands no rule matches are denied"));
        for (var i = 0; i < defaults.Count - 1; i++)
        {
            if (defaults[i].Default is { } ignored && ignored.Value != (action == DecisionAction.Allow ? "allow" : "deny"))
            {
                _warnings.Add(new ConfigError(defaults[i].File, ignored.Line, ignored.Column, "default",
                    $"ignored: only the last rule file's default applies ({(action == DecisionAction.Allow ? "allow" : "deny")}, from {last.File})"));
            }
        }
        return action;
    }

    private void CompileRule(RuleModel rule, int index, YamlMarks marks)
    {
        var (line, column) = marks.Of(rule);
        var key = $"rules[{index}]";
        var errorsBefore = _errors.Count;

        var id = rule.Id?.Trim() ?? "";
        if (id.Length == 0)
            Error(line, column, $"{key}.id", "is required");
        else if (id.Any(char.IsWhiteSpace))
            Error(line, column, $"{key}.id", $"'{id}' must not contain spaces");
        else if (_ids.TryGetValue(id, out var first))
            Error(line, column, $"{key}.id", $"duplicate rule id '{id}' (first defined at {first.File}:{first.Line})");
        else
            _ids[id] = (_file, line);
        if (id.Length > 0)
            key = $"rules[{index}:{id}]";

        DecisionAction action = DecisionAction.Deny;
        if (rule.Action is null)
            Error(line, column, $"{key}.action", "is required (allow, deny, mask, require_approval, limit or rewrite)");
        else if (!Actions.TryGetValue(rule.Action.Value, out action))
            Error(rule.Action.Line, rule.Action.Column, $"{key}.action", $"'{rule.Action.Value}' is not one of: {string.Join(", ", Actions.Keys)}");

        var match = rule.Match ?? new MatchModel();
        var subjects = Names(match.Subjects, $"{key}.match.subjects", ignoreCase: false, line);
        var groups = Names(match.Groups, $"{key}.match.groups", ignoreCase: false, line);
        var kinds = IdentityKinds(match.Kind, $"{key}.match.kind", line);
        var listeners = Names(match.Listeners, $"{key}.match.listeners", ignoreCase: false, line);
        var protocols = Names(match.Protocol, $"{key}.match.protocol", ignoreCase: true, line);
        var databases = Names(match.Databases, $"{key}.match.databases", ignoreCase: true, line);
        var statements = StatementKindsOf(match.Statements, $"{key}.match.statements", line);
        var tables = Qualified(match.Tables, $"{key}.match.tables", line);
        var functions = Qualified(match.Functions, $"{key}.match.functions", line);
        var settings = Names(match.Settings, $"{key}.match.settings", ignoreCase: true, line);
        var where = WhereOf(match.Where, $"{key}.match.where");

        if (where != WhereCondition.Any && statements is { } kindSet
            && !kindSet.Contains(StatementKindIndex.Of(StatementKinds.Update)) && !kindSet.Contains(StatementKindIndex.Of(StatementKinds.Delete)))
            Error(match.Where!.Line, match.Where.Column, $"{key}.match.where", "applies to update and delete only; with these statements the rule never matches");

        var parseError = match.ParseError == true;
        var hasStatementConditions = statements is not null || tables is not null || functions is not null || settings is not null || where != WhereCondition.Any;
        if (parseError && (hasStatementConditions || match.ModifiesData is not null))
            Error(line, column, $"{key}.match.parse_error", "an unparsed command has no statements: parse_error cannot be combined with statements, tables, functions, settings, where or modifies_data");

        var columns = CombinedColumns(rule, match, key, line);
        var masking = MaskOptions(rule, action, columns, id, key, line, column);
        var limits = LimitOptions(rule, action, key, line, column);
        if (rule.Rewrite is not null && action != DecisionAction.Rewrite)
            Error(line, column, $"{key}.rewrite", "only applies to action: rewrite");
        if (action == DecisionAction.Rewrite && rule.Action is not null)
            Warning(rule.Action.Line, rule.Action.Column, $"{key}.action", "no protocol performs rewrites yet: protocols deny a rewrite decision (fail closed)");
        if (action is DecisionAction.Deny or DecisionAction.RequireApproval && string.IsNullOrWhiteSpace(rule.Message))
            Warning(line, column, $"{key}.message", "tell the client what to do instead: a denial without a message leaves an agent guessing");

        if (_errors.Count > errorsBefore)
            return;

        _rules.Add(new CompiledRule
        {
            Index = _rules.Count,
            Id = id,
            Key = key,
            File = _file,
            Line = line,
            Column = column,
            Decision = new Decision
            {
                Action = action,
                RuleId = id,
                Message = string.IsNullOrWhiteSpace(rule.Message) ? null : rule.Message.Trim(),
                Masking = masking,
                Limits = limits,
            },
            Subjects = subjects,
            Groups = groups,
            Kinds = kinds,
            Listeners = listeners,
            Protocols = protocols,
            Databases = databases,
            ParseError = parseError,
            ModifiesData = match.ModifiesData,
            Statements = statements,
            Tables = tables,
            Functions = functions,
            Settings = settings,
            Where = where,
        });
    }

    private List<LocatedName>? CombinedColumns(RuleModel rule, MatchModel match, string key, int line)
    {
        var fromRule = Present(rule.Columns, $"{key}.columns", line);
        var fromMatch = Present(match.Columns, $"{key}.match.columns", line);
        if (fromRule is null && fromMatch is null)
            return null;
        return [.. fromRule?.Items ?? [], .. fromMatch?.Items ?? []];
    }

    private MaskingPlan? MaskOptions(RuleModel rule, DecisionAction action, List<LocatedName>? columns, string id, string key, int line, int column)
    {
        var detectorList = Present(rule.Detectors, $"{key}.detectors", line);
        if (action != DecisionAction.Mask)
        {
            if (columns is not null)
                Error(line, column, $"{key}.columns", "only applies to action: mask");
            if (detectorList is not null)
                Error(line, column, $"{key}.detectors", "only applies to action: mask");
            if (rule.Strategy is not null)
                Error(rule.Strategy.Line, rule.Strategy.Column, $"{key}.strategy", "only applies to action: mask");
            return null;
        }

        if (columns is null && detectorList is null)
        {
            Error(line, column, key, "a mask rule needs columns, detectors or both: as written it masks nothing");
            return null;
        }

        var detectors = new List<Detector>();
        foreach (var name in detectorList?.Items ?? [])
        {
            if (name.Value == DetectorCatalog.AllKeyword)
                detectors.AddRange(DetectorCatalog.All);
            else if (DetectorCatalog.ByName.TryGetValue(name.Value, out var detector))
                detectors.Add(detector);
            else
                Error(name.Line, name.Column, $"{key}.detectors", $"unknown detector '{name.Value}' (known: all, {string.Join(", ", DetectorCatalog.ByName.Keys.Order())})");
        }

        var strategy = MaskStrategy.Redact;
        if (rule.Strategy is { } word && !MaskStrategyNames.ByName.TryGetValue(word.Value, out strategy))
            Error(word.Line, word.Column, $"{key}.strategy", $"'{word.Value}' is not one of: {string.Join(", ", MaskStrategyNames.ByName.Keys)}");

        foreach (var c in columns ?? [])
            CheckName(c, $"{key}.columns");
        return new MaskingPlan([new MaskSpec(id, columns?.Select(c => c.Value) ?? [], detectors, strategy)], maskingKey);
    }

    private ResultLimits? LimitOptions(RuleModel rule, DecisionAction action, string key, int line, int column)
    {
        var any = rule.MaxRows is not null || rule.MaxBytes is not null || rule.StatementTimeout is not null;
        if (action != DecisionAction.Limit)
        {
            if (any)
                Error(line, column, key, "max_rows, max_bytes and statement_timeout only apply to action: limit");
            return null;
        }
        if (!any)
        {
            Error(line, column, key, "a limit rule needs max_rows, max_bytes or statement_timeout");
            return null;
        }
        if (rule.MaxRows is < 1)
            Error(line, column, $"{key}.max_rows", "must be at least 1");
        if (rule.MaxBytes is < 1)
            Error(line, column, $"{key}.max_bytes", "must be at least 1");
        if (rule.StatementTimeout is { } timeout && timeout <= TimeSpan.Zero)
            Error(line, column, $"{key}.statement_timeout", "must be positive");
        return new ResultLimits(rule.MaxRows, rule.MaxBytes, rule.StatementTimeout);
    }

    /// <summary>Null when the key was not written; an error when it was written empty.</summary>
    private NameList? Present(NameList? list, string key, int line)
    {
        if (ReferenceEquals(list, NameList.Absent))
            return null;
        if (list is null || list.Items.Count == 0)
        {
            Error(list?.Line ?? line, list?.Column ?? 0, key, "is empty: list at least one name, or remove the key to match anything");
            return null;
        }
        return list;
    }

    private NameMatcher? Names(NameList? list, string key, bool ignoreCase, int line)
    {
        var present = Present(list, key, line);
        if (present is null)
            return null;
        foreach (var name in present.Items)
            CheckName(name, key);
        return new NameMatcher(present.Values, ignoreCase);
    }

    private QualifiedNameMatcher? Qualified(NameList? list, string key, int line)
    {
        var present = Present(list, key, line);
        if (present is null)
            return null;
        foreach (var name in present.Items)
            CheckName(name, key);
        return new QualifiedNameMatcher([.. present.Values]);
    }

    private void CheckName(LocatedName name, string key)
    {
        if (string.IsNullOrWhiteSpace(name.Value))
            Error(name.Line, name.Column, key, "an empty name matches nothing");
    }

    private IdentityKind[]? IdentityKinds(NameList? list, string key, int line)
    {
        var present = Present(list, key, line);
        if (present is null)
            return null;
        var kinds = new List<IdentityKind>();
        foreach (var name in present.Items)
        {
            switch (name.Value)
            {
                case "agent": kinds.Add(IdentityKind.Agent); break;
                case "human": kinds.Add(IdentityKind.Human); break;
                default: Error(name.Line, name.Column, key, $"'{name.Value}' is not agent or human"); break;
            }
        }
        return [.. kinds.Distinct()];
    }

    private StatementKindSet? StatementKindsOf(NameList? list, string key, int line)
    {
        var present = Present(list, key, line);
        if (present is null)
            return null;
        var set = new StatementKindSet(UInt128.Zero);
        foreach (var name in present.Items)
        {
            if (StatementKindIndex.TryGet(name.Value, out var index))
                set = set.With(index);
            else
                Error(name.Line, name.Column, key, $"unknown statement kind '{name.Value}' (known: {string.Join(", ", StatementKindIndex.Names)})");
        }
        return set;
    }

    private WhereCondition WhereOf(LocatedWord? word, string key)
    {
        switch (word?.Value)
        {
            case null: return WhereCondition.Any;
            case "absent": return WhereCondition.Absent;
            case "present": return WhereCondition.Present;
            default:
                Error(word.Line, word.Column, key, $"'{word.Value}' is not absent or present");
                return WhereCondition.Any;
        }
    }

    private void Error(int line, int column, string key, string message) =>
        _errors.Add(new ConfigError(_file, line, column, key, message));

    private void Warning(int line, int column, string key, string message) =>
        _warnings.Add(new ConfigError(_file, line, column, key, message));
}
