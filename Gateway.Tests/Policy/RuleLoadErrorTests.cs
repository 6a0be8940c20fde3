using Gateway.Core.Config;
using Gateway.Core.Policy;
using static Gateway.Tests.Policy.PolicyTestKit;

namespace Gateway.Tests.Policy;

/// <summary>Broken rule files: every error found at once, each naming file, line and key.</summary>
public sealed class RuleLoadErrorTests
{
    [Test]
    public void A_broken_file_reports_every_error_with_its_line()
    {
        const string yaml = """
            version: 1
            default: allow
            rules:
              - id: one
                match: { statements: [select, dropp] }
                action: deny
                message: no
              - id: two
                action: masq
              - id: three
                action: mask
                detectors: [email, credit_card]
              - id: one
                action: allow
            """;
        var errors = LoadErrors(yaml, "/rules/broken.yaml");
        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[]
        {
            "/rules/broken.yaml:5:35: rules[0:one].match.statements: unknown statement kind 'dropp' (known: " + string.Join(", ", StatementKinds.All.Order(StringComparer.Ordinal)) + ")",
            "/rules/broken.yaml:9:13: rules[1:two].action: 'masq' is not one of: allow, deny, mask, require_approval, limit, rewrite",
            "/rules/broken.yaml:12:24: rules[2:three].detectors: unknown detector 'credit_card' (known: all, aws_access_key, aws_secret_key, azure_storage_key, connection_string, email, github_token, iban, jwt, payment_card, pem_private_key, sas_token, secret_assignment, slack_token, us_ssn)",
            "/rules/broken.yaml:13:5: rules[3].id: duplicate rule id 'one' (first defined at /rules/broken.yaml:4)",
        }));
    }

    [Test]
    public void An_unknown_key_names_its_line_and_the_key()
    {
        var error = LoadErrors("version: 1\nrules:\n  - id: a\n    action: deny\n    mesage: typo\n").Single();
        Assert.That((error.File, error.Line, error.Key), Is.EqualTo(("/rules/broken.yaml", 5, "mesage")));
        Assert.That(error.Message, Does.Contain("unknown key"));
    }

    [Test]
    public void A_wrong_type_names_its_line()
    {
        var error = LoadErrors("version: 1\nrules:\n  - id: a\n    action: limit\n    max_rows: lots\n").Single();
        Assert.That(error.Line, Is.EqualTo(5));
    }

    [Test]
    public void Errors_from_several_files_are_collected_together()
    {
        var e = Assert.Throws<ConfigException>(() => Rules(
            ("/rules/a.yaml", "version: 2\nrules:\n  - id: x\n    action: deny\n    message: no\n"),
            ("/rules/b.yaml", "version: 1\nrules:\n  - id: x\n    action: allow\n  - action: deny\n")));
        Assert.That(e!.Errors.Select(x => $"{Path.GetFileName(x.File)}:{x.Line}:{x.Key}"), Is.EquivalentTo(new[]
        {
            "a.yaml:1:version", "b.yaml:3:rules[0].id", "b.yaml:5:rules[1].id",
        }));
        Assert.That(e.Errors.Single(x => x.Key == "rules[0].id").Message, Does.Contain("duplicate rule id 'x' (first defined at /rules/a.yaml:3)"));
    }

    [Test]
    public void Duplicate_ids_across_files_are_errors()
    {
        var e = Assert.Throws<ConfigException>(() => Rules(
            ("/rules/a.yaml", "version: 1\nrules:\n  - id: same\n    action: allow\n"),
            ("/rules/b.yaml", "version: 1\nrules:\n  - id: same\n    action: allow\n")));
        Assert.That(e!.Errors.Single().Message, Does.StartWith("duplicate rule id 'same'"));
    }

    [TestCase("action: mask", "masks nothing")]
    [TestCase("action: mask\nstrategy: hash", "masks nothing")]
    [TestCase("action: limit", "needs max_rows, max_bytes or statement_timeout")]
    [TestCase("action: deny\ncolumns: [ssn]", "only applies to action: mask")]
    [TestCase("action: allow\nmax_rows: 5", "only apply to action: limit")]
    [TestCase("action: allow\nrewrite: { x: 1 }", "only applies to action: rewrite")]
    [TestCase("action: mask\ncolumns: [ssn]\nstrategy: scramble", "'scramble' is not one of")]
    [TestCase("action: limit\nmax_rows: 0", "must be at least 1")]
    [TestCase("match: { groups: [] }\naction: allow", "is empty")]
    [TestCase("match: { groups: }\naction: allow", "empty")]
    [TestCase("match:\n  groups:\naction: allow", "empty")]
    [TestCase("match: { kind: robot }\naction: allow", "'robot' is not agent or human")]
    [TestCase("match: { where: missing }\naction: allow", "'missing' is not absent or present")]
    [TestCase("match: { statements: [select], where: absent }\naction: allow", "applies to update and delete only")]
    [TestCase("action: allow\nid: has space", "must not contain spaces")]
    [TestCase("match: { tables: [\"\"] }\naction: allow", "an empty name matches nothing")]
    public void Invalid_rules_are_rejected(string body, string expected)
    {
        var errors = LoadErrors($"version: 1\nrules:\n  - {Indent(body, 4).TrimStart()}\n    {(body.Contains("id:", StringComparison.Ordinal) ? "" : "id: r")}\n");
        Assert.That(errors.Select(e => e.Message), Has.Some.Contains(expected));
    }

    [Test]
    public void A_missing_version_and_a_bad_default_are_errors()
    {
        var errors = LoadErrors("default: maybe\nrules: []\n");
        Assert.That(errors.Select(e => (e.Key, e.Line)), Is.EquivalentTo(new[] { ("version", 1), ("default", 1) }));
    }

    [Test]
    public void An_unreadable_file_is_an_error_not_an_empty_policy()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-rules-{Guid.NewGuid():N}.yaml");
        var e = Assert.Throws<ConfigException>(() => RuleSet.Load([missing], Key));
        Assert.That(e!.Errors.Single().Message, Does.StartWith("cannot read"));
    }

    [Test]
    public void No_rule_files_is_an_error()
    {
        var e = Assert.Throws<ConfigException>(() => RuleSet.Parse([], Key));
        Assert.That(e!.Errors.Single().Message, Does.Contain("fail open"));
    }
}
