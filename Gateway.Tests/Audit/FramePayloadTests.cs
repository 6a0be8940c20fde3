using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Core.Audit;
using Gateway.Core.Config;
using Gateway.Core.FrameLog;
using Gateway.Core.Identity;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Tests.Audit;

/// <summary>
/// The per-command records (command, decision, result) write their payloads directly instead of through a
/// <see cref="JsonObject"/> tree. The line on disk is the contract (docs/frame-log.md) and what the chain hashes, so
/// each must come out byte for byte as the tree it replaced, escaping and nulls included.
/// </summary>
public sealed class FramePayloadTests
{
    private const string Awkward = "quote \" backslash \\ tab \t ctrl \u0001 é 😀 </script>";

    [Test]
    public async Task A_simple_query_records_its_origin_only()
    {
        var (audit, log) = NewAudit();

        await audit.CommandAsync(Analyze("SELECT 1", CommandOrigin.Query), "SELECT 1", Allow, statement: null, CancellationToken.None);

        AssertSameLine(log.Records.Single(), new JsonObject { ["origin"] = "query" });
    }

    [Test]
    public async Task An_execution_records_its_statement_and_parameters_in_order_with_nulls_and_escapes()
    {
        var (audit, log) = NewAudit();
        var command = Analyze("SELECT $1, $2, $3", CommandOrigin.Execute);

        await audit.CommandAsync(command, command.Text, Allow, new StatementReference("P_0", ["1", null, Awkward]), CancellationToken.None);

        AssertSameLine(log.Records.Single(), new JsonObject
        {
            ["statement"] = "P_0",
            ["parameters"] = new JsonArray("1", null, Awkward),
            ["origin"] = "execute",
        });
    }

    [Test]
    public async Task A_statement_without_parameters_has_no_parameters_member()
    {
        var (audit, log) = NewAudit();
        var command = Analyze("SELECT 1", CommandOrigin.Execute);

        await audit.CommandAsync(command, command.Text, Allow, new StatementReference("", []), CancellationToken.None);

        AssertSameLine(log.Records.Single(), new JsonObject { ["statement"] = "", ["origin"] = "execute" });
    }

    [Test]
    public async Task A_command_that_does_not_parse_records_the_parser_message()
    {
        var (audit, log) = NewAudit();
        var command = Analyze("SELEC oops", CommandOrigin.Prepare);
        Assert.That(command.ParseError, Is.True);

        await audit.CommandAsync(command, command.Text, Allow, new StatementReference("s1"), CancellationToken.None);

        AssertSameLine(log.Records.Single(), new JsonObject
        {
            ["statement"] = "s1",
            ["origin"] = "prepare",
            ["parse_error"] = command.ParseErrorMessage,
        });
    }

    [Test]
    public async Task A_decision_that_is_not_allow_records_action_message_and_request_id_with_nulls()
    {
        var (audit, log) = NewAudit();
        var denial = new Decision { Action = DecisionAction.Deny, RuleId = "no-drop", Message = Awkward };
        var masking = new Decision { Action = DecisionAction.Mask, RuleId = "agents-mask" };

        await audit.CommandAsync(Analyze("DROP TABLE t", CommandOrigin.Query), "DROP TABLE t", denial, null, CancellationToken.None);
        await audit.CommandAsync(Analyze("SELECT 1", CommandOrigin.Query), "SELECT 1", masking, null, CancellationToken.None);

        var decisions = log.Records.Where(r => r.Kind == FrameKinds.Decision).ToArray();
        Assert.That(decisions, Has.Length.EqualTo(2));
        AssertSameLine(decisions[0], new JsonObject { ["action"] = "deny", ["message"] = Awkward, ["request_id"] = null });
        AssertSameLine(decisions[1], new JsonObject { ["action"] = "mask", ["message"] = null, ["request_id"] = null });
    }

    [Test]
    public void A_result_records_tag_columns_and_rows_as_captured()
    {
        var (audit, log) = NewAudit();
        var capture = new ResultCapture(maxRows: 2, maxValueBytes: 256);
        capture.Start();
        capture.SetColumns(["id", Awkward]);
        foreach (var row in new string?[][] { ["1", Awkward], ["2", null], ["3", "not kept"] })
        {
            capture.Count(bytes: 10);
            if (capture.WantsRow)
                capture.AddRow(row);
        }
        capture.Tag = "SELECT 3";

        audit.Result(capture);
        capture.Start();   // the session reuses the capture at once: the record must not change with it

        var record = log.Records.Single();
        Assert.That(record.Truncated, Is.True, "3 rows counted, 2 kept");
        AssertSameLine(record, new JsonObject
        {
            ["tag"] = "SELECT 3",
            ["columns"] = new JsonArray("id", Awkward),
            ["rows"] = new JsonArray(new JsonArray("1", Awkward), new JsonArray("2", null)),
        });
    }

    [Test]
    public void A_result_without_rows_records_its_tag_only()
    {
        var (audit, log) = NewAudit();
        var capture = new ResultCapture(maxRows: 2, maxValueBytes: 256);
        capture.Start();
        capture.Tag = "UPDATE 1";

        audit.Result(capture);

        AssertSameLine(log.Records.Single(), new JsonObject { ["tag"] = "UPDATE 1" });
    }

    [Test]
    public async Task Objects_are_each_recorded_once_in_ordinal_order_with_functions_marked()
    {
        var (audit, log) = NewAudit();
        var command = Analyze("SELECT upper(b.x), lower(a.y) FROM b JOIN a ON true JOIN b AS b2 ON true; SELECT upper('z') FROM a",
            CommandOrigin.Query);

        await audit.CommandAsync(command, command.Text, Allow, null, CancellationToken.None);

        Assert.That(log.Records.Single().Objects, Is.EqualTo(new[] { "a", "b", "lower()", "upper()" }));
    }

    private static readonly Decision Allow = new() { Action = DecisionAction.Allow, RuleId = "r" };

    private static Command Analyze(string sql, CommandOrigin origin) => new SqlAnalyzer().Analyze(sql, origin);

    private static (SessionAudit Audit, CapturingLog Log) NewAudit()
    {
        var log = new CapturingLog();
        var audit = new SessionAudit(log, "s-1", "pg", "postgres", new IPEndPoint(IPAddress.Loopback, 50000), "db:5432", new CaptureConfig());
        audit.Identify(new Principal
        {
            Subject = "agent-1", Kind = IdentityKind.Agent, Groups = ["ai-agents"], Issuer = "urn:test",
            ExpiresAt = DateTimeOffset.UnixEpoch,
        });
        return (audit, log);
    }

    /// <summary>The record's line with its direct payload equals the line with <paramref name="tree"/> as payload.</summary>
    private static void AssertSameLine(FrameRecord record, JsonObject tree)
    {
        Assert.That(record.DirectPayload, Is.Not.Null, "a per-command record writes its payload directly");
        Assert.That(record.Payload, Is.Null, "a record sets one payload form");
        var direct = Line(record);
        var replaced = Line(Clone(record, tree));

        Assert.That(direct, Is.EqualTo(replaced));
        Assert.That(JsonNode.DeepEquals(FrameRecordJson.Parse(Encoding.UTF8.GetBytes(direct)).Payload, tree), Is.True, direct);
    }

    private static FrameRecord Clone(FrameRecord record, JsonObject payload) => new()
    {
        Kind = record.Kind, Direction = record.Direction, SessionId = record.SessionId, Listener = record.Listener,
        Protocol = record.Protocol, Subject = record.Subject, IdentityKind = record.IdentityKind, Groups = record.Groups,
        SourceIp = record.SourceIp, Target = record.Target, Database = record.Database, Command = record.Command,
        CommandKind = record.CommandKind, Objects = record.Objects, Decision = record.Decision, RuleId = record.RuleId,
        Rows = record.Rows, Bytes = record.Bytes, DurationMs = record.DurationMs, Truncated = record.Truncated,
        Payload = payload,
    };

    /// <summary>The canonical line as the frame-log writer produces it (same encoder).</summary>
    private static string Line(FrameRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            FrameRecordJson.WriteCanonical(writer, record);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private sealed class CapturingLog : IFrameLog
    {
        public List<FrameRecord> Records { get; } = [];

        public ValueTask AppendAsync(FrameRecord record, CancellationToken cancellationToken = default)
        {
            Records.Add(record);
            return ValueTask.CompletedTask;
        }
    }
}
