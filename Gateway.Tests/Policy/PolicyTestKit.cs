using System.Collections.Immutable;
using Gateway.Core.Config;
using Gateway.Core.Identity;
using Gateway.Core.Masking;
using Gateway.Core.Policy;

namespace Gateway.Tests.Policy;

/// <summary>
/// Builds sessions, commands and rule sets by hand: the rule engine is protocol-neutral, so its tests state
/// the analysed facts directly instead of going through a SQL analyser.
/// </summary>
internal static class PolicyTestKit
{
    public static readonly MaskingKey Key = MaskingKey.FromBytes(Enumerable.Range(1, MaskingKey.Length).Select(i => (byte)i).ToArray());

    public static SessionFacts Session(
        string subject = "agent-7",
        IdentityKind kind = IdentityKind.Agent,
        string[]? groups = null,
        string listener = "pg",
        string protocol = "postgres",
        string? database = "app") =>
        new(new Principal
        {
            Subject = subject,
            Kind = kind,
            Groups = [.. groups ?? ["ai-agents"]],
            Issuer = "https://issuer.test",
            ExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
        }, listener, protocol, database);

    public static StatementInfo Statement(
        string kind,
        string[]? tables = null,
        string[]? functions = null,
        bool? hasWhere = null,
        bool modifiesData = false,
        bool nested = false,
        string? setting = null) =>
        new()
        {
            Kind = kind,
            Tables = [.. tables ?? []],
            Functions = [.. functions ?? []],
            HasWhere = hasWhere,
            ModifiesData = modifiesData,
            Nested = nested,
            Setting = setting,
        };

    public static Command Command(params StatementInfo[] statements) => new()
    {
        Protocol = "postgres",
        Origin = CommandOrigin.Query,
        Text = string.Join("; ", statements.Select(s => s.Kind)),
        Statements = [.. statements],
    };

    public static Command Unparsed(string message = "syntax error at or near \"SELEC\"") => new()
    {
        Protocol = "postgres",
        Origin = CommandOrigin.Query,
        Text = "SELEC 1",
        ParseError = true,
        ParseErrorMessage = message,
    };

    public static Command Select(params string[] tables) => Command(Statement(StatementKinds.Select, tables));

    public static RuleSet Rules(string yaml, string path = "/rules/test.yaml") =>
        RuleSet.Parse([new RuleFileText(path, yaml)], Key);

    public static RuleSet Rules(params (string Path, string Yaml)[] files) =>
        RuleSet.Parse([.. files.Select(f => new RuleFileText(f.Path, f.Yaml))], Key);

    public static IReadOnlyList<ConfigError> LoadErrors(string yaml, string path = "/rules/broken.yaml")
    {
        var e = Assert.Throws<ConfigException>(() => Rules(yaml, path));
        return e!.Errors;
    }

    /// <summary>A file with one rule; <paramref name="ruleBody"/> is the rule's keys, indented by the caller as YAML flow or block.</summary>
    public static string OneRule(string ruleBody, string @default = "allow") =>
        $"version: 1\ndefault: {@default}\nrules:\n  - id: r1\n{Indent(ruleBody, 4)}\n";

    public static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select(l => l.Length == 0 ? l : new string(' ', spaces) + l));

    public static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "gateway.sln")))
                    return directory.FullName;
            }
            throw new InvalidOperationException("gateway.sln not found above the test directory");
        }
    }

    public static ImmutableArray<string> Ids(RuleSet rules) => [.. rules.Rules.Select(r => r.Id)];
}
