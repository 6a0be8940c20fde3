using System.Text;
using Gateway.Core.Identity;
using Gateway.Core.Masking;
using Gateway.Core.Policy;
using static Gateway.Tests.Policy.PolicyTestKit;

namespace Gateway.Tests.Policy;

/// <summary>examples/rules/agents.yaml and sre.yaml do what docs/rules.md says they do.</summary>
public sealed class ShippedPolicyTests
{
    private static readonly string AgentsPath = Path.Combine(RepositoryRoot, "examples", "rules", "agents.yaml");
    private static readonly string SrePath = Path.Combine(RepositoryRoot, "examples", "rules", "sre.yaml");
    private static readonly RuleSet Agents = RuleSet.Load([AgentsPath], Key);
    private static readonly RuleSet Sre = RuleSet.Load([SrePath], Key);
    private static readonly SessionFacts Agent = Session(groups: ["ai-agents"]);

    private static Decision AsAgent(params StatementInfo[] statements) => Agents.Evaluate(Agent, Command(statements));

    [Test]
    public void Both_lint_without_findings()
    {
        Assert.That(RuleLinter.Lint([AgentsPath]), Is.Empty);
        Assert.That(RuleLinter.Lint([SrePath]), Is.Empty);
    }

    [TestCase("create")]
    [TestCase("alter")]
    [TestCase("drop")]
    [TestCase("truncate")]
    [TestCase("copy_program")]
    [TestCase("copy_file")]
    [TestCase("do")]
    [TestCase("call")]
    [TestCase("grant")]
    [TestCase("revoke")]
    [TestCase("role")]
    [TestCase("set_role")]
    [TestCase("alter_system")]
    [TestCase("load")]
    [TestCase("function_call_message")]
    [TestCase("replication")]
    public void Agents_are_denied(string kind)
    {
        var decision = AsAgent(Statement(kind, modifiesData: kind is "create" or "alter" or "drop" or "truncate"));
        Assert.That(decision.Action, Is.EqualTo(DecisionAction.Deny));
        Assert.That(decision.Message, Is.Not.Null.And.Length.GreaterThan(40), "the message tells the agent what to do instead");
    }

    [Test]
    public void Agents_may_not_update_or_delete_without_where_even_nested()
    {
        Assert.That(AsAgent(Statement("delete", ["orders"], hasWhere: false, modifiesData: true)).RuleId, Is.EqualTo("agents-no-unbounded-write"));
        Assert.That(AsAgent(Statement("select"), Statement("update", ["orders"], hasWhere: false, modifiesData: true, nested: true)).RuleId,
            Is.EqualTo("agents-no-unbounded-write"), "a writable CTE");
        Assert.That(AsAgent(Statement("delete", ["orders"], hasWhere: true, modifiesData: true)).Action, Is.EqualTo(DecisionAction.Mask));
    }

    [Test]
    public void Agents_may_not_hide_writes_in_explain_analyze()
    {
        var decision = AsAgent(Statement("explain_analyze"), Statement("insert", ["orders"], modifiesData: true, nested: true));
        Assert.That(decision.RuleId, Is.EqualTo("agents-no-explain-analyze-writes"));
        Assert.That(AsAgent(Statement("explain_analyze"), Statement("select", ["orders"], nested: true)).Action, Is.EqualTo(DecisionAction.Mask));
    }

    [TestCase("pg_read_file")]
    [TestCase("pg_catalog.pg_read_binary_file")]
    [TestCase("pg_ls_dir")]
    [TestCase("pg_ls_waldir")]
    [TestCase("pg_stat_file")]
    [TestCase("lo_import")]
    [TestCase("lo_export")]
    [TestCase("lo_from_bytea")]
    [TestCase("pg_terminate_backend")]
    [TestCase("pg_cancel_backend")]
    [TestCase("dblink")]
    [TestCase("dblink_exec")]
    [TestCase("set_config")]
    [TestCase("pg_reload_conf")]
    [TestCase("pg_rotate_logfile")]
    [TestCase("pg_promote")]
    [TestCase("query_to_xml")]
    [TestCase("table_to_xml")]
    [TestCase("pg_create_logical_replication_slot")]
    public void Agents_may_not_call_dangerous_functions(string function)
    {
        Assert.That(AsAgent(Statement("select", functions: [function])).RuleId, Is.EqualTo("agents-no-dangerous-functions"));
    }

    [Test]
    public void Agents_may_not_switch_roles_through_set()
    {
        Assert.That(AsAgent(Statement("set", setting: "role")).RuleId, Is.EqualTo("agents-no-role-setting"));
        Assert.That(AsAgent(Statement("set", setting: "session_authorization")).RuleId, Is.EqualTo("agents-no-role-setting"));
        Assert.That(AsAgent(Statement("reset", setting: "role")).Action, Is.EqualTo(DecisionAction.Mask), "back to the session's own role");
        Assert.That(AsAgent(Statement("set", setting: "search_path")).Action, Is.EqualTo(DecisionAction.Mask));
    }

    [Test]
    public void Unparsed_agent_commands_get_the_agent_message()
    {
        var decision = Agents.Evaluate(Agent, Unparsed());
        Assert.That((decision.Action, decision.RuleId), Is.EqualTo((DecisionAction.Deny, "agents-unparsed")));
    }

    [Test]
    public void Everything_else_an_agent_reads_is_masked()
    {
        var decision = AsAgent(Statement("select", ["users"], functions: ["lower"]));
        Assert.That((decision.Action, decision.RuleId), Is.EqualTo((DecisionAction.Mask, "agents-mask")));
        var columns = decision.Masking!.ForColumns(["id", "email", "password_hash", "api_token", "ssn", "card_number", "name"]);
        Assert.That(Enumerable.Range(0, columns.Count).Select(columns.IsMasked),
            Is.EqualTo(new[] { false, true, true, true, true, true, false }));

        var output = new System.Buffers.ArrayBufferWriter<byte>();
        Assert.That(columns.TryMask(6, "reach me at jane@example.com"u8, output), Is.True);
        Assert.That(Encoding.UTF8.GetString(output.WrittenSpan), Is.EqualTo("reach me at ****"));
    }

    [Test]
    public void Other_callers_are_not_restricted_by_the_agents_file()
    {
        var human = Session(kind: IdentityKind.Human, groups: ["dev"]);
        Assert.That(Agents.Evaluate(human, Command(Statement("drop"))).Action, Is.EqualTo(DecisionAction.Allow));
        Assert.That(Agents.Evaluate(human, Unparsed()).RuleId, Is.EqualTo(RuleSet.ParseErrorRuleId), "but unparsed commands are still denied");
    }

    [Test]
    public void Sre_ddl_needs_approval_and_secrets_are_masked()
    {
        var sre = Session(kind: IdentityKind.Human, groups: ["sre"]);
        Assert.That(Sre.Evaluate(sre, Command(Statement("alter", ["orders"], modifiesData: true))).Action, Is.EqualTo(DecisionAction.RequireApproval));
        Assert.That(Sre.Evaluate(sre, Command(Statement("drop", ["orders"], modifiesData: true))).RuleId, Is.EqualTo("sre-ddl-approval"));

        var read = Sre.Evaluate(sre, Command(Statement("select", ["users"])));
        Assert.That(read.Action, Is.EqualTo(DecisionAction.Mask));
        var columns = read.Masking!.ForColumns(["email", "api_token"]);
        Assert.That((columns.IsMasked(0), columns.IsMasked(1)), Is.EqualTo((false, true)));
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        Assert.That(columns.TryMask(0, "jane@example.com"u8, output), Is.False, "personal data stays readable for SREs");
        Assert.That(columns.TryMask(0, "AKIAIOSFODNN7EXAMPLE"u8, output), Is.True);
        Assert.That(Encoding.UTF8.GetString(output.WrittenSpan), Is.EqualTo("****"));
    }

    [Test]
    public void Both_files_can_serve_one_listener_together()
    {
        var both = RuleSet.Load([AgentsPath, SrePath], Key);
        Assert.That(both.Evaluate(Agent, Command(Statement("drop"))).RuleId, Is.EqualTo("agents-no-ddl"));
        Assert.That(both.Evaluate(Session(groups: ["sre"]), Command(Statement("drop"))).RuleId, Is.EqualTo("sre-ddl-approval"));
        Assert.That(RuleLinter.Lint([AgentsPath, SrePath]), Is.Empty);
    }
}
