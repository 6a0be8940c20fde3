using Gateway.Core.Masking;
using Gateway.Core.Policy;
using static Gateway.Tests.Policy.PolicyTestKit;

namespace Gateway.Tests.Policy;

/// <summary>First match per statement, most restrictive across statements, mask union, limit minimum, file order.</summary>
public sealed class CombinationTests
{
    private const string Mixed = """
        version: 1
        default: allow
        rules:
          - id: no-drop
            match: { statements: [drop] }
            action: deny
            message: write a migration instead
          - id: approve-alter
            match: { statements: [alter] }
            action: require_approval
            message: ask an approver
          - id: mask-users
            match: { tables: [users] }
            action: mask
            columns: [email]
            strategy: hash
          - id: mask-payments
            match: { tables: [payments] }
            action: mask
            columns: ["card*"]
            detectors: [payment_card]
            strategy: partial
          - id: limit-events
            match: { tables: [events] }
            action: limit
            max_rows: 500
            statement_timeout: 10s
          - id: limit-logs
            match: { tables: [logs] }
            action: limit
            max_rows: 100
            max_bytes: 65536
            statement_timeout: 1m
        """;

    private static readonly RuleSet Rules = PolicyTestKit.Rules(Mixed);

    [Test]
    public void First_matching_rule_decides_a_statement()
    {
        var rules = PolicyTestKit.Rules("""
            version: 1
            default: deny
            rules:
              - id: allow-reports
                match: { tables: [reports] }
                action: allow
              - id: deny-selects
                match: { statements: [select] }
                action: deny
                message: no
            """);
        Assert.That(rules.Evaluate(Session(), Select("reports")).RuleId, Is.EqualTo("allow-reports"));
        Assert.That(rules.Evaluate(Session(), Select("orders")).RuleId, Is.EqualTo("deny-selects"));
    }

    [Test]
    public void The_most_restrictive_statement_decides_the_command()
    {
        var command = Command(Statement("select", ["users"]), Statement("alter", ["users"], modifiesData: true), Statement("select", ["events"]));
        var decision = Rules.Evaluate(Session(), command);
        Assert.That((decision.Action, decision.RuleId, decision.Message), Is.EqualTo((DecisionAction.RequireApproval, "approve-alter", "ask an approver")));

        var withDrop = Command(Statement("alter", ["t"]), Statement("drop", ["t"]), Statement("select", ["t"]));
        Assert.That(Rules.Evaluate(Session(), withDrop).RuleId, Is.EqualTo("no-drop"));
    }

    [Test]
    public void An_allowed_first_statement_does_not_let_a_denied_second_through()
    {
        var decision = Rules.Evaluate(Session(), Command(Statement("select", ["orders"]), Statement("drop", ["orders"], modifiesData: true)));
        Assert.That(decision.Action, Is.EqualTo(DecisionAction.Deny));
    }

    [Test]
    public void Mask_plans_of_different_statements_unite_keeping_each_columns_strategy()
    {
        var decision = Rules.Evaluate(Session(), Command(Statement("select", ["users"]), Statement("select", ["payments"])));
        Assert.That(decision.Action, Is.EqualTo(DecisionAction.Mask));
        var columns = decision.Masking!.ForColumns(["id", "email", "card_number"]);
        Assert.That(Enumerable.Range(0, 3).Select(columns.StrategyOf),
            Is.EqualTo(new MaskStrategy?[] { null, MaskStrategy.Hash, MaskStrategy.Partial }));
        Assert.That(decision.Masking.HasDetectors, Is.True);
    }

    [Test]
    public void Limits_take_the_minimum_of_each_bound()
    {
        var decision = Rules.Evaluate(Session(), Command(Statement("select", ["events"]), Statement("select", ["logs"])));
        Assert.That(decision.Action, Is.EqualTo(DecisionAction.Limit));
        Assert.That(decision.Limits, Is.EqualTo(new ResultLimits(100, 65536, TimeSpan.FromSeconds(10))));
    }

    [Test]
    public void Mask_and_limit_together_keep_both()
    {
        var decision = Rules.Evaluate(Session(), Command(Statement("select", ["users"]), Statement("select", ["events"])));
        Assert.That(decision.Action, Is.EqualTo(DecisionAction.Mask));
        Assert.That(decision.RuleId, Is.EqualTo("mask-users"));
        Assert.That(decision.Limits, Is.EqualTo(new ResultLimits(500, null, TimeSpan.FromSeconds(10))));
        Assert.That(decision.Masking, Is.Not.Null);
    }

    [Test]
    public void Decision_actions_are_ordered_by_restrictiveness()
    {
        Assert.That(new[] { DecisionAction.Allow, DecisionAction.Rewrite, DecisionAction.Limit, DecisionAction.Mask, DecisionAction.RequireApproval, DecisionAction.Deny },
            Is.Ordered);
    }

    [Test]
    public void Files_concatenate_in_order_and_the_last_files_default_applies()
    {
        var rules = PolicyTestKit.Rules(
            ("/rules/base.yaml", "version: 1\ndefault: allow\nrules:\n  - id: base-deny-drop\n    match: { statements: [drop] }\n    action: deny\n    message: no\n"),
            ("/rules/team.yaml", "version: 1\ndefault: deny\nrules:\n  - id: team-allow-select\n    match: { statements: [select] }\n    action: allow\n  - id: team-allow-drop\n    match: { statements: [drop] }\n    action: allow\n"));
        Assert.That(Ids(rules), Is.EqualTo(new[] { "base-deny-drop", "team-allow-select", "team-allow-drop" }));
        Assert.That(rules.Evaluate(Session(), Command(Statement("drop"))).RuleId, Is.EqualTo("base-deny-drop"));
        Assert.That(rules.Evaluate(Session(), Select("t")).RuleId, Is.EqualTo("team-allow-select"));
        var unmatched = rules.Evaluate(Session(), Command(Statement("insert", modifiesData: true)));
        Assert.That((unmatched.Action, unmatched.RuleId), Is.EqualTo((DecisionAction.Deny, RuleSet.DefaultRuleId)));
        Assert.That(rules.Warnings.Single().Message, Does.Contain("only the last rule file's default applies"));
    }

    [Test]
    public void A_command_without_statements_meets_only_rules_without_statement_conditions()
    {
        var rules = PolicyTestKit.Rules("""
            version: 1
            default: deny
            rules:
              - id: deny-select
                match: { statements: [select] }
                action: deny
                message: no
              - id: agents
                match: { groups: [ai-agents] }
                action: allow
            """);
        Assert.That(rules.Evaluate(Session(), Command()).RuleId, Is.EqualTo("agents"));
        Assert.That(rules.Evaluate(Session(groups: ["other"]), Command()).RuleId, Is.EqualTo(RuleSet.DefaultRuleId));
    }

    [Test]
    public void Sessions_with_different_facts_get_their_own_rules()
    {
        var rules = PolicyTestKit.Rules(OneRule("match: { groups: [ai-agents] }\naction: deny\nmessage: no"));
        var agent = Session(groups: ["ai-agents"]);
        var human = Session(groups: ["dev"]);
        for (var i = 0; i < 3; i++)
        {
            Assert.That(rules.Evaluate(agent, Select("t")).Action, Is.EqualTo(DecisionAction.Deny));
            Assert.That(rules.Evaluate(human, Select("t")).Action, Is.EqualTo(DecisionAction.Allow));
        }
    }

    [Test]
    public void An_unknown_statement_kind_from_an_analyser_counts_as_other()
    {
        var rules = PolicyTestKit.Rules(OneRule("match: { statements: [other] }\naction: deny\nmessage: no"));
        Assert.That(rules.Evaluate(Session(), Command(Statement("frobnicate"))).Action, Is.EqualTo(DecisionAction.Deny));
    }
}
