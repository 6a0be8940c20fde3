using Gateway.Core.Config;
using Gateway.Core.Masking;

namespace Gateway.Core.Policy;

public enum FindingSeverity
{
    Warning,
    Error,
}

/// <summary>One lint finding, located by file, line and key.</summary>
public sealed record RuleFinding(FindingSeverity Severity, ConfigError Where)
{
    public override string ToString()
    {
        var severity = Severity == FindingSeverity.Error ? "error" : "warning";
        var location = Where.Line > 0 ? $"{Where.File}:{Where.Line}:{Where.Column}" : Where.File;
        var key = Where.Key.Length > 0 ? $"{Where.Key}: " : "";
        return $"{location}: {severity}: {key}{Where.Message}";
    }
}

/// <summary>
/// <c>gateway rules lint</c>: everything the loader rejects (schema, unknown statement kinds and detectors,
/// duplicate ids, mask rules that mask nothing, ...) plus what only a reader notices: rules that can never
/// decide because an earlier rule matches everything they match.
/// </summary>
public static class RuleLinter
{
    public static IReadOnlyList<RuleFinding> Lint(IEnumerable<string> paths)
    {
        var files = new List<RuleFileText>();
        var findings = new List<RuleFinding>();
        foreach (var path in paths)
        {
            var fullPath = Path.GetFullPath(path);
            try
            {
                files.Add(new RuleFileText(fullPath, File.ReadAllText(fullPath)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                findings.Add(new RuleFinding(FindingSeverity.Error, new ConfigError(fullPath, 0, 0, "", $"cannot read: {e.Message}")));
            }
        }
        if (files.Count > 0 || findings.Count == 0)
            findings.AddRange(Lint(files));
        return findings;
    }

    /// <summary>Lints files as one listener's list: ids must be unique across them and order matters.</summary>
    public static IReadOnlyList<RuleFinding> Lint(IReadOnlyList<RuleFileText> files)
    {
        // Lint never hashes anything; a throwaway key lets hash-strategy rules compile.
        var compilation = new RuleCompiler(MaskingKey.Ephemeral()).Compile(files);
        var findings = new List<RuleFinding>();
        findings.AddRange(compilation.Errors.Select(e => new RuleFinding(FindingSeverity.Error, e)));
        findings.AddRange(compilation.Warnings.Select(w => new RuleFinding(FindingSeverity.Warning, w)));
        findings.AddRange(FindShadowed(compilation.Rules));
        return [.. findings.OrderBy(f => f.Where.File, StringComparer.Ordinal).ThenBy(f => f.Where.Line).ThenBy(f => f.Where.Column)];
    }

    private static IEnumerable<RuleFinding> FindShadowed(IReadOnlyList<CompiledRule> rules)
    {
        for (var later = 1; later < rules.Count; later++)
        {
            for (var earlier = 0; earlier < later; earlier++)
            {
                if (!Covers(rules[earlier], rules[later]))
                    continue;
                var shadow = rules[earlier];
                var shadowed = rules[later];
                yield return new RuleFinding(FindingSeverity.Error, new ConfigError(shadowed.File, shadowed.Line, shadowed.Column, shadowed.Key,
                    $"never decides anything: rule '{shadow.Id}' ({Path.GetFileName(shadow.File)}:{shadow.Line}) comes first and matches " +
                    $"everything this rule matches (first match wins). Move '{shadowed.Id}' above it or narrow '{shadow.Id}'."));
                break;
            }
        }
    }

    /// <summary>True when every statement <paramref name="narrow"/> matches, <paramref name="wide"/> matches too.</summary>
    internal static bool Covers(CompiledRule wide, CompiledRule narrow)
    {
        if (wide.ParseError != narrow.ParseError)
            return false;
        if (wide.Kinds is not null && (narrow.Kinds is null || narrow.Kinds.Except(wide.Kinds).Any()))
            return false;
        if (wide.ModifiesData is not null && wide.ModifiesData != narrow.ModifiesData)
            return false;
        if (wide.Statements is { } wideKinds && (narrow.Statements is not { } narrowKinds || !narrowKinds.IsSubsetOf(wideKinds)))
            return false;
        if (wide.Where != WhereCondition.Any && wide.Where != narrow.Where)
            return false;
        return GlobCoverage.Covers(wide.Subjects, narrow.Subjects, alwaysPresent: true)
            && GlobCoverage.Covers(wide.Groups, narrow.Groups, alwaysPresent: false)
            && GlobCoverage.Covers(wide.Listeners, narrow.Listeners, alwaysPresent: true)
            && GlobCoverage.Covers(wide.Protocols, narrow.Protocols, alwaysPresent: true)
            && GlobCoverage.Covers(wide.Databases, narrow.Databases, alwaysPresent: false)
            && GlobCoverage.Covers(wide.Tables, narrow.Tables)
            && GlobCoverage.Covers(wide.Functions, narrow.Functions)
            && GlobCoverage.Covers(wide.Settings, narrow.Settings, alwaysPresent: false);
    }
}
