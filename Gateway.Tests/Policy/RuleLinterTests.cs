using Gateway.Core.Policy;
using Gateway.Host.Cli;

namespace Gateway.Tests.Policy;

/// <summary><c>gateway rules lint</c>: shadowing, duplicates, warnings, exit codes.</summary>
public sealed class RuleLinterTests
{
    private static IReadOnlyList<RuleFinding> Lint(string yaml) => RuleLinter.Lint([new RuleFileText("/rules/lint.yaml", yaml)]);

    private static IEnumerable<string> Shadowed(string yaml) =>
        Lint(yaml).Where(f => f.Where.Message.StartsWith("never decides", StringComparison.Ordinal)).Select(f => f.Where.Key);

    private static string TwoRules(string earlierMatch, string laterMatch) => $"""
        version: 1
        default: allow
        rules:
          - id: earlier
            match: {earlierMatch}
            action: allow
          - id: later
            match: {laterMatch}
            action: deny
            message: no
        """;

    [TestCase("{ groups: [ai-agents] }", "{ groups: [ai-agents], statements: [drop] }")]
    [TestCase("{ statements: [drop, truncate] }", "{ statements: [drop] }")]
    [TestCase("{ tables: [\"audit_*\"] }", "{ tables: [audit_log] }")]
    [TestCase("{ tables: [\"audit_*\"] }", "{ tables: [\"audit_log*\"] }")]
    [TestCase("{ tables: [users] }", "{ tables: [public.users] }")]
    [TestCase("{ functions: [\"pg_*\"] }", "{ functions: [pg_catalog.pg_read_file] }")]
    [TestCase("{ subjects: [\"*\"] }", "{ subjects: [alice] }")]
    [TestCase("{ kind: [agent, human] }", "{ kind: agent }")]
    [TestCase("{ statements: [delete], where: absent }", "{ statements: [delete], where: absent, tables: [orders] }")]
    [TestCase("{ databases: [\"prod*\"] }", "{ databases: [prod_eu], modifies_data: true }")]
    public void A_later_rule_inside_an_earlier_ones_match_is_shadowed(string earlier, string later)
    {
        Assert.That(Shadowed(TwoRules(earlier, later)), Is.EqualTo(new[] { "rules[1:later]" }));
    }

    [TestCase("{ groups: [ai-agents], statements: [drop] }", "{ groups: [ai-agents] }")]
    [TestCase("{ statements: [drop] }", "{ statements: [drop, truncate] }")]
    [TestCase("{ tables: [public.users] }", "{ tables: [users] }")]
    [TestCase("{ tables: [\"audit_log*\"] }", "{ tables: [\"audit_*\"] }")]
    [TestCase("{ groups: [\"*\"] }", "{ subjects: [alice] }")]
    [TestCase("{ tables: [\"*\"] }", "{ statements: [select] }")]
    [TestCase("{ statements: [delete], where: absent }", "{ statements: [delete] }")]
    [TestCase("{ groups: [sre] }", "{ groups: [sre, dba] }")]
    [TestCase("{ modifies_data: true }", "{ statements: [drop] }")]
    [TestCase("{ groups: [sre] }", "{ groups: [sre], parse_error: true }")]
    public void A_later_rule_that_can_match_something_the_earlier_one_does_not_is_not_shadowed(string earlier, string later)
    {
        Assert.That(Shadowed(TwoRules(earlier, later)), Is.Empty);
    }

    [Test]
    public void A_broad_mask_before_denials_is_reported()
    {
        const string yaml = """
            version: 1
            default: allow
            rules:
              - id: mask-everything
                match: { groups: [ai-agents] }
                action: mask
                detectors: all
              - id: no-drop
                match: { groups: [ai-agents], statements: [drop] }
                action: deny
                message: write a migration
            """;
        var finding = Lint(yaml).Single(f => f.Severity == FindingSeverity.Error);
        Assert.That(finding.ToString(), Is.EqualTo(
            "/rules/lint.yaml:8:5: error: rules[1:no-drop]: never decides anything: rule 'mask-everything' (lint.yaml:4) comes first and matches " +
            "everything this rule matches (first match wins). Move 'no-drop' above it or narrow 'mask-everything'."));
    }

    [Test]
    public void Duplicate_ids_unknown_kinds_and_unknown_detectors_are_errors()
    {
        const string yaml = """
            version: 1
            default: allow
            rules:
              - id: a
                match: { statements: [drop_table] }
                action: deny
                message: no
              - id: a
                action: mask
                detectors: [phone_number]
            """;
        var errors = Lint(yaml).Where(f => f.Severity == FindingSeverity.Error).Select(f => f.Where.Message).ToArray();
        Assert.That(errors, Has.Length.EqualTo(3));
        Assert.That(errors, Has.Some.StartsWith("unknown statement kind 'drop_table'"));
        Assert.That(errors, Has.Some.StartsWith("duplicate rule id 'a'"));
        Assert.That(errors, Has.Some.StartsWith("unknown detector 'phone_number'"));
    }

    [Test]
    public void Warnings_do_not_fail_the_lint()
    {
        const string yaml = """
            version: 1
            rules:
              - id: quiet-deny
                match: { statements: [drop] }
                action: deny
              - id: future
                match: { statements: [select] }
                action: rewrite
                rewrite: { add_limit: 100 }
            """;
        var findings = Lint(yaml);
        Assert.That(findings.All(f => f.Severity == FindingSeverity.Warning), Is.True);
        Assert.That(findings.Select(f => f.Where.Message), Has.Some.Contains("tell the client what to do instead"));
        Assert.That(findings.Select(f => f.Where.Message), Has.Some.Contains("no protocol performs rewrites yet"));
        Assert.That(findings.Select(f => f.Where.Message), Has.Some.Contains("no default in the last rule file"));
    }

    [Test]
    public void The_cli_exits_1_on_errors_and_0_when_clean()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-lint-");
        try
        {
            var clean = Path.Combine(directory.FullName, "clean.yaml");
            var broken = Path.Combine(directory.FullName, "broken.yaml");
            File.WriteAllText(clean, "version: 1\ndefault: deny\nrules:\n  - id: reads\n    match: { statements: [select] }\n    action: allow\n  - id: quiet\n    match: { statements: [drop] }\n    action: deny\n");
            File.WriteAllText(broken, "version: 1\ndefault: deny\nrules:\n  - id: x\n    action: mask\n");

            var output = new StringWriter();
            Assert.That(RulesCommand.Lint([new FileInfo(clean)], output), Is.EqualTo(ExitCodes.Ok));
            Assert.That(output.ToString(), Does.Contain("warning:").And.Contain("rules lint: 1 file clean, 1 warning"));

            output = new StringWriter();
            Assert.That(RulesCommand.Lint([new FileInfo(clean), new FileInfo(broken)], output), Is.EqualTo(ExitCodes.Finding));
            Assert.That(output.ToString(), Does.Contain($"{broken}:4:5: error: rules[0:x]: a mask rule needs columns, detectors or both"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public void The_cli_is_registered_as_rules_lint()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-lint-");
        try
        {
            var file = Path.Combine(directory.FullName, "r.yaml");
            File.WriteAllText(file, "version: 1\ndefault: deny\nrules: []\n");
            var exit = GatewayCli.Build().Parse(["rules", "lint", file]).Invoke();
            Assert.That(exit, Is.EqualTo(ExitCodes.Ok));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
