using System.Text.Json.Nodes;
using Gateway.Core.FrameLog;
using Gateway.Tests.FrameLog;

namespace Gateway.Tests.Replay;

/// <summary>
/// A PostgreSQL-like session written through the real writer with a hand-moved clock, following the payload
/// conventions of docs/frame-log.md, with another session and checkpoints interleaved.
/// </summary>
internal static class RecordedSession
{
    public const string Id = "s-42";
    public static readonly DateTimeOffset Start = DateTimeOffset.Parse("2025-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    public const string ExpectedTranscript =
        "-- session s-42: alice (agent) from 10.1.2.3 to pg-main database appdb at 2025-03-01 10:00:00Z\n" +
        "SSL connection (protocol: TLSv1.3, cipher: TLS_AES_256_GCM_SHA384)\n" +
        "\n" +
        "appdb=> select id, name from users order by id;\n" +
        " id | name  \n" +
        "----+-------\n" +
        "  1 | alice\n" +
        " 22 | \n" +
        "(2 rows)\n" +
        "\n" +
        "appdb=> drop table users;\n" +
        "ERROR:  denied by rule no-ddl: DDL is not allowed for agents\n" +
        "appdb=> insert into notes(text)\n" +
        "appdb-> values ('hi');\n" +
        "INSERT 0 1\n" +
        "appdb=> select 1/0;\n" +
        "ERROR:  division by zero\n" +
        "-- session ended (client_closed) after 8s: 4 commands, 1 denied, 312 bytes in, 1024 bytes out; target backend 4242 (reused)\n";

    public static async Task WriteAsync(FrameLogFixture log)
    {
        var clock = new ManualClock(Start);
        await using var writer = await log.OpenAsync(FrameLogFixture.Config(checkpointEvery: 4), new FrameLogWriterOptions { Time = clock });

        async Task At(double seconds, FrameRecord record)
        {
            clock.Advance(Start.AddSeconds(seconds) - clock.GetUtcNow());
            record.SessionId ??= Id;
            record.Protocol = "postgres";
            record.Listener = "pg";
            record.Subject ??= "alice";
            record.IdentityKind = "agent";
            record.Target = "pg-main";
            record.Database = "appdb";
            await writer.AppendAsync(record);
        }

        await At(0, new FrameRecord
        {
            Kind = FrameKinds.SessionStart,
            Direction = "client",
            SourceIp = "10.1.2.3",
            Groups = ["ai-agents"],
            Payload = new JsonObject
            {
                ["client"] = new JsonObject { ["user"] = "alice", ["database"] = "appdb", ["application_name"] = "psql" },
                ["tls"] = new JsonObject { ["protocol"] = "TLSv1.3", ["cipher"] = "TLS_AES_256_GCM_SHA384" },
                ["token"] = new JsonObject { ["issuer"] = "https://dev.gateway.local", ["expires"] = "2025-03-01T10:10:00Z", ["jti"] = "t-1" },
            },
        });
        await At(0.5, new FrameRecord { Kind = FrameKinds.SessionStart, SessionId = "s-other", Subject = "bob", Direction = "client" });
        await At(1, Command("select id, name from users order by id;", "select", "allow", "read-only"));
        await At(1.25, new FrameRecord
        {
            Kind = FrameKinds.Result,
            Direction = "target",
            Rows = 2,
            Bytes = 58,
            DurationMs = 2.5,
            Payload = new JsonObject
            {
                ["tag"] = "SELECT 2",
                ["columns"] = new JsonArray("id", "name"),
                ["rows"] = new JsonArray(new JsonArray("1", "alice"), new JsonArray("22", null)),
            },
        });
        await At(3, Command("drop table users;", "drop", "deny", "no-ddl"));
        await At(3, new FrameRecord
        {
            Kind = FrameKinds.Decision,
            Direction = "gateway",
            Decision = "deny",
            RuleId = "no-ddl",
            Payload = new JsonObject { ["action"] = "deny", ["message"] = "DDL is not allowed for agents" },
        });
        await At(5, Command("insert into notes(text)\nvalues ('hi');", "insert", "allow", "writes-notes"));
        await At(5.5, new FrameRecord { Kind = FrameKinds.Result, Direction = "target", Rows = 1, Payload = new JsonObject { ["tag"] = "INSERT 0 1" } });
        await At(6, Command("select 1/0;", "select", "allow", "read-only"));
        await At(6, new FrameRecord
        {
            Kind = FrameKinds.Error,
            Direction = "target",
            Payload = new JsonObject { ["severity"] = "ERROR", ["code"] = "22012", ["message"] = "division by zero", ["source"] = "target" },
        });
        await At(8, new FrameRecord
        {
            Kind = FrameKinds.SessionEnd,
            Direction = "gateway",
            DurationMs = 8000,
            Payload = new JsonObject
            {
                ["reason"] = "client_closed", ["commands"] = 4, ["denials"] = 1, ["bytes_in"] = 312, ["bytes_out"] = 1024,
                ["upstream"] = new JsonObject { ["backend"] = 4242, ["reused"] = true },
            },
        });
    }

    private static FrameRecord Command(string text, string kind, string decision, string rule) => new()
    {
        Kind = FrameKinds.Command,
        Direction = "client",
        Command = text,
        CommandKind = kind,
        Objects = ["users"],
        Decision = decision,
        RuleId = rule,
        Payload = new JsonObject { ["origin"] = "query" },
    };
}
