using Gateway.Core.Identity;
using Gateway.Core.Policy;
using static Gateway.Tests.Policy.PolicyTestKit;

namespace Gateway.Tests.Policy;

/// <summary>Each <c>match</c> key, matching and not matching. Every rule denies; the default allows.</summary>
public sealed class MatchKeyTests
{
    private static DecisionAction Decide(string match, SessionFacts session, Command command) =>
        Rules(OneRule($"match: {match}\naction: deny\nmessage: no")).Evaluate(session, command).Action;

    private static DecisionAction Decide(string match, Command command) => Decide(match, Session(), command);

    [Test]
    public void Subjects_match_globs_case_sensitively()
    {
        Assert.That(Decide("{ subjects: [agent-*] }", Session(subject: "agent-7"), Select("t")), Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide("{ subjects: [agent-*] }", Session(subject: "Agent-7"), Select("t")), Is.EqualTo(DecisionAction.Allow));
        Assert.That(Decide("{ subjects: alice }", Session(subject: "alice"), Select("t")), Is.EqualTo(DecisionAction.Deny));
    }

    [Test]
    public void Groups_match_when_any_group_of_the_caller_matches()
    {
        Assert.That(Decide("{ groups: [sre, dba] }", Session(groups: ["dev", "dba"]), Select("t")), Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide("{ groups: [sre, dba] }", Session(groups: ["dev"]), Select("t")), Is.EqualTo(DecisionAction.Allow));
        Assert.That(Decide("{ groups: [\"team-*\"] }", Session(groups: []), Select("t")), Is.EqualTo(DecisionAction.Allow));
    }

    [Test]
    public void Kind_matches_agent_or_human()
    {
        Assert.That(Decide("{ kind: agent }", Session(kind: IdentityKind.Agent), Select("t")), Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide("{ kind: agent }", Session(kind: IdentityKind.Human), Select("t")), Is.EqualTo(DecisionAction.Allow));
        Assert.That(Decide("{ kind: [agent, human] }", Session(kind: IdentityKind.Human), Select("t")), Is.EqualTo(DecisionAction.Deny));
    }

    [Test]
    public void Listeners_match_the_listener_name()
    {
        Assert.That(Decide("{ listeners: [prod-*] }", Session(listener: "prod-pg"), Select("t")), Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide("{ listeners: [prod-*] }", Session(listener: "staging-pg"), Select("t")), Is.EqualTo(DecisionAction.Allow));
    }

    [Test]
    public void Protocol_matches_case_insensitively()
    {
        Assert.That(Decide("{ protocol: Postgres }", Session(protocol: "postgres"), Select("t")), Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide("{ protocol: mysql }", Session(protocol: "postgres"), Select("t")), Is.EqualTo(DecisionAction.Allow));
    }

    [Test]
    public void Databases_match_the_session_database_and_never_an_unknown_one()
    {
        Assert.That(Decide("{ databases: [prod*] }", Session(database: "PROD_main"), Select("t")), Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide("{ databases: [prod*] }", Session(database: "dev"), Select("t")), Is.EqualTo(DecisionAction.Allow));
        Assert.That(Decide("{ databases: [\"*\"] }", Session(database: null), Select("t")), Is.EqualTo(DecisionAction.Allow));
    }

    [Test]
    public void Statements_match_any_listed_kind_nested_included()
    {
        Assert.That(Decide("{ statements: [drop, truncate] }", Command(Statement("drop"))), Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide("{ statements: [drop, truncate] }", Command(Statement("select"))), Is.EqualTo(DecisionAction.Allow));
        Assert.That(Decide("{ statements: delete }",
            Command(Statement("select"), Statement("delete", hasWhere: true, modifiesData: true, nested: true))), Is.EqualTo(DecisionAction.Deny));
    }

    [Test]
    public void Tables_match_any_table_case_insensitively_with_schema_rules()
    {
        Assert.That(Decide("{ tables: [users] }", Select("public.USERS")), Is.EqualTo(DecisionAction.Deny), "unqualified pattern, any schema");
        Assert.That(Decide("{ tables: [hr.salaries] }", Select("hr.salaries")), Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide("{ tables: [hr.salaries] }", Select("salaries")), Is.EqualTo(DecisionAction.Deny), "search_path may resolve it to hr");
        Assert.That(Decide("{ tables: [hr.salaries] }", Select("public.salaries")), Is.EqualTo(DecisionAction.Allow));
        Assert.That(Decide("{ tables: [\"audit_*\"] }", Select("orders", "audit_log")), Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide("{ tables: [\"audit_*\"] }", Select("orders")), Is.EqualTo(DecisionAction.Allow));
        Assert.That(Decide("{ tables: [\"*\"] }", Command(Statement("select"))), Is.EqualTo(DecisionAction.Allow), "no table at all");
    }

    [Test]
    public void Functions_match_qualified_and_unqualified_calls()
    {
        var match = "{ functions: [pg_read_file, \"dblink*\"] }";
        Assert.That(Decide(match, Command(Statement("select", functions: ["pg_catalog.pg_read_file"]))), Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide(match, Command(Statement("select", functions: ["dblink_exec"]))), Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide(match, Command(Statement("select", functions: ["now", "lower"]))), Is.EqualTo(DecisionAction.Allow));
    }

    [Test]
    public void Settings_match_the_parameter_of_set_statements()
    {
        var match = "{ statements: [set, reset], settings: [role, session_authorization] }";
        Assert.That(Decide(match, Command(Statement("set", setting: "ROLE"))), Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide(match, Command(Statement("set", setting: "search_path"))), Is.EqualTo(DecisionAction.Allow));
        Assert.That(Decide("{ settings: [role] }", Command(Statement("select"))), Is.EqualTo(DecisionAction.Allow));
    }

    [Test]
    public void Where_absent_and_present_apply_to_update_and_delete()
    {
        Assert.That(Decide("{ where: absent }", Command(Statement("delete", hasWhere: false, modifiesData: true))), Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide("{ where: absent }", Command(Statement("delete", hasWhere: true, modifiesData: true))), Is.EqualTo(DecisionAction.Allow));
        Assert.That(Decide("{ where: present }", Command(Statement("update", hasWhere: true, modifiesData: true))), Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide("{ where: absent }", Command(Statement("select"))), Is.EqualTo(DecisionAction.Allow), "select has no where fact");
    }

    [Test]
    public void Modifies_data_looks_at_the_whole_command_nested_statements_included()
    {
        var match = "{ statements: [explain_analyze], modifies_data: true }";
        Assert.That(Decide(match, Command(Statement("explain_analyze"), Statement("insert", modifiesData: true, nested: true))),
            Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide(match, Command(Statement("explain_analyze"), Statement("select", nested: true))), Is.EqualTo(DecisionAction.Allow));
        Assert.That(Decide("{ modifies_data: false }", Select("t")), Is.EqualTo(DecisionAction.Deny));
    }

    [Test]
    public void Parse_error_rules_decide_only_unparsed_commands()
    {
        var rules = Rules(OneRule("match: { parse_error: true }\naction: allow", @default: "deny"));
        Assert.That(rules.Evaluate(Session(), Unparsed()).Action, Is.EqualTo(DecisionAction.Allow));
        Assert.That(rules.Evaluate(Session(), Select("t")).Action, Is.EqualTo(DecisionAction.Deny));
    }

    [Test]
    public void Columns_in_match_are_the_mask_columns()
    {
        var decision = Rules(OneRule("match: { columns: [\"*password*\"] }\naction: mask")).Evaluate(Session(), Select("users"));
        Assert.That(decision.Action, Is.EqualTo(DecisionAction.Mask));
        var columns = decision.Masking!.ForColumns(["id", "password_hash"]);
        Assert.That((columns.IsMasked(0), columns.IsMasked(1)), Is.EqualTo((false, true)));
    }

    [Test]
    public void All_conditions_must_hold()
    {
        var match = "{ groups: [ai-agents], statements: [delete], tables: [orders] }";
        Assert.That(Decide(match, Command(Statement("delete", ["orders"], hasWhere: true, modifiesData: true))), Is.EqualTo(DecisionAction.Deny));
        Assert.That(Decide(match, Command(Statement("delete", ["carts"], hasWhere: true, modifiesData: true))), Is.EqualTo(DecisionAction.Allow));
        Assert.That(Decide(match, Session(groups: ["sre"]), Command(Statement("delete", ["orders"], hasWhere: true))), Is.EqualTo(DecisionAction.Allow));
    }

    [Test]
    public void Statement_conditions_must_hold_for_one_statement_not_spread_over_several()
    {
        // delete of carts + select of orders: no single statement is a delete of orders.
        var command = Command(Statement("delete", ["carts"], hasWhere: true, modifiesData: true), Statement("select", ["orders"]));
        Assert.That(Decide("{ statements: [delete], tables: [orders] }", command), Is.EqualTo(DecisionAction.Allow));
    }

    [Test]
    public void A_rule_without_match_matches_everything()
    {
        var rules = Rules("version: 1\ndefault: allow\nrules:\n  - id: all\n    action: deny\n    message: closed\n");
        Assert.That(rules.Evaluate(Session(), Select("t")).Action, Is.EqualTo(DecisionAction.Deny));
        Assert.That(rules.Evaluate(Session(), Command()).Action, Is.EqualTo(DecisionAction.Deny));
    }
}
