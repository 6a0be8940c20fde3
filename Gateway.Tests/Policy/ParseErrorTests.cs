using Gateway.Core.Policy;
using static Gateway.Tests.Policy.PolicyTestKit;

namespace Gateway.Tests.Policy;

/// <summary>Fail closed: an unparsed command is denied unless a parse_error rule explicitly decides.</summary>
public sealed class ParseErrorTests
{
    [Test]
    public void An_unparsed_command_is_denied_even_when_the_default_allows()
    {
        var rules = Rules(OneRule("match: { groups: [ai-agents] }\naction: allow"));
        var decision = rules.Evaluate(Session(), Unparsed("syntax error at or near \"SELEC\""));
        Assert.That((decision.Action, decision.RuleId), Is.EqualTo((DecisionAction.Deny, RuleSet.ParseErrorRuleId)));
        Assert.That(decision.Message, Does.Contain("could not parse").And.Contain("SELEC"));
    }

    [Test]
    public void A_catch_all_allow_does_not_decide_an_unparsed_command()
    {
        var rules = Rules("version: 1\ndefault: allow\nrules:\n  - id: everything\n    action: allow\n");
        Assert.That(rules.Evaluate(Session(), Unparsed()).Action, Is.EqualTo(DecisionAction.Deny));
    }

    [Test]
    public void A_parse_error_rule_decides_for_its_sessions_only()
    {
        var rules = Rules("""
            version: 1
            default: allow
            rules:
              - id: dba-unparsed
                match: { groups: [dba], parse_error: true }
                action: allow
              - id: agents-unparsed
                match: { groups: [ai-agents], parse_error: true }
                action: deny
                message: send plain SQL
            """);
        Assert.That(rules.Evaluate(Session(groups: ["dba"]), Unparsed()).RuleId, Is.EqualTo("dba-unparsed"));
        var agent = rules.Evaluate(Session(groups: ["ai-agents"]), Unparsed());
        Assert.That((agent.RuleId, agent.Message), Is.EqualTo(("agents-unparsed", "send plain SQL")));
        Assert.That(rules.Evaluate(Session(groups: ["dev"]), Unparsed()).RuleId, Is.EqualTo(RuleSet.ParseErrorRuleId));
    }

    [Test]
    public void Parse_error_cannot_be_combined_with_statement_conditions()
    {
        var errors = LoadErrors(OneRule("match: { parse_error: true, statements: [select] }\naction: allow"));
        Assert.That(errors.Single().Message, Does.Contain("an unparsed command has no statements"));
    }
}
