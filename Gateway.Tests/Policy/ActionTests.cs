using Gateway.Core.Masking;
using Gateway.Core.Policy;
using static Gateway.Tests.Policy.PolicyTestKit;

namespace Gateway.Tests.Policy;

/// <summary>Each action and the decision it yields.</summary>
public sealed class ActionTests
{
    [Test]
    public void Allow_yields_an_allow_decision_with_the_rule_id()
    {
        var decision = Rules(OneRule("action: allow", @default: "deny")).Evaluate(Session(), Select("t"));
        Assert.That((decision.Action, decision.RuleId, decision.IsBlocking), Is.EqualTo((DecisionAction.Allow, "r1", false)));
    }

    [Test]
    public void Deny_carries_the_message_for_the_client()
    {
        var decision = Rules(OneRule("action: deny\nmessage: Use a read replica instead.")).Evaluate(Session(), Select("t"));
        Assert.That((decision.Action, decision.Message, decision.IsBlocking, decision.ActionName),
            Is.EqualTo((DecisionAction.Deny, "Use a read replica instead.", true, "deny")));
    }

    [Test]
    public void Require_approval_blocks_until_approved()
    {
        var decision = Rules(OneRule("action: require_approval\nmessage: ask a second SRE")).Evaluate(Session(), Select("t"));
        Assert.That((decision.Action, decision.IsBlocking, decision.ActionName),
            Is.EqualTo((DecisionAction.RequireApproval, true, "require_approval")));
    }

    [Test]
    public void Mask_builds_a_plan_with_columns_detectors_and_strategy()
    {
        var decision = Rules(OneRule("action: mask\ncolumns: [\"card*\"]\ndetectors: [email]\nstrategy: partial")).Evaluate(Session(), Select("t"));
        Assert.That(decision.Action, Is.EqualTo(DecisionAction.Mask));
        var spec = decision.Masking!.Specs.Single();
        Assert.That((spec.RuleId, spec.Strategy, spec.Columns.Single(), spec.Detectors.Single().Name),
            Is.EqualTo(("r1", MaskStrategy.Partial, "card*", "email")));
    }

    [Test]
    public void Mask_strategy_defaults_to_redact_and_all_means_every_detector()
    {
        var decision = Rules(OneRule("action: mask\ndetectors: all")).Evaluate(Session(), Select("t"));
        var spec = decision.Masking!.Specs.Single();
        Assert.That(spec.Strategy, Is.EqualTo(MaskStrategy.Redact));
        Assert.That(spec.Detectors.Select(d => d.Name), Is.EquivalentTo(DetectorCatalog.All.Select(d => d.Name)));
    }

    [TestCase("redact", MaskStrategy.Redact)]
    [TestCase("partial", MaskStrategy.Partial)]
    [TestCase("hash", MaskStrategy.Hash)]
    [TestCase("null", MaskStrategy.Null)]
    public void Every_strategy_loads(string name, MaskStrategy expected)
    {
        var decision = Rules(OneRule($"action: mask\ncolumns: [ssn]\nstrategy: {name}")).Evaluate(Session(), Select("t"));
        Assert.That(decision.Masking!.ForColumns(["ssn"]).StrategyOf(0), Is.EqualTo(expected));
    }

    [Test]
    public void Limit_carries_rows_bytes_and_timeout()
    {
        var decision = Rules(OneRule("action: limit\nmax_rows: 1000\nmax_bytes: 1048576\nstatement_timeout: 30s")).Evaluate(Session(), Select("t"));
        Assert.That(decision.Action, Is.EqualTo(DecisionAction.Limit));
        Assert.That(decision.Limits, Is.EqualTo(new ResultLimits(1000, 1048576, TimeSpan.FromSeconds(30))));
    }

    [Test]
    public void Rewrite_loads_with_an_open_shape()
    {
        var rules = Rules(OneRule("action: rewrite\nrewrite: { append_limit: 100 }"));
        Assert.That(rules.Evaluate(Session(), Select("t")).Action, Is.EqualTo(DecisionAction.Rewrite));
        Assert.That(rules.Warnings.Single().Message, Does.Contain("no protocol performs rewrites yet"));
    }

    [Test]
    public void The_default_applies_when_no_rule_matches()
    {
        var deny = Rules(OneRule("match: { statements: [drop] }\naction: allow", @default: "deny")).Evaluate(Session(), Select("t"));
        Assert.That((deny.Action, deny.RuleId), Is.EqualTo((DecisionAction.Deny, RuleSet.DefaultRuleId)));
        Assert.That(deny.Message, Does.Contain("denies by default"));

        var allow = Rules(OneRule("match: { statements: [drop] }\naction: deny\nmessage: no")).Evaluate(Session(), Select("t"));
        Assert.That((allow.Action, allow.RuleId), Is.EqualTo((DecisionAction.Allow, RuleSet.DefaultRuleId)));
    }

    [Test]
    public void A_file_without_default_denies()
    {
        var rules = Rules("version: 1\nrules: []\n");
        Assert.That(rules.DefaultAction, Is.EqualTo(DecisionAction.Deny));
        Assert.That(rules.Evaluate(Session(), Select("t")).Action, Is.EqualTo(DecisionAction.Deny));
    }

    [Test]
    public void A_decision_made_by_one_rule_is_the_rules_prebuilt_instance()
    {
        var rules = Rules(OneRule("action: mask\ndetectors: all"));
        var first = rules.Evaluate(Session(), Command(Statement("select"), Statement("select")));
        var second = rules.Evaluate(Session(), Select("t"));
        Assert.That(first, Is.SameAs(second));
    }
}
