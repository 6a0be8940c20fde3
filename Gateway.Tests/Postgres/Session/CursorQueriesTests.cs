using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;
using Gateway.Protocols.Postgres.Session;

namespace Gateway.Tests.Postgres.Session;

/// <summary>What a FETCH inherits from its cursor's DECLAREs, and the bounds on what a session can make the gateway keep.</summary>
[TestFixture]
public sealed class CursorQueriesTests
{
    private static readonly SqlAnalyzer Analyzer = new();

    private static Command Analyze(string sql) => Analyzer.Analyze(sql, CommandOrigin.Query);

    private static string[] TablesOf(Command command) => [.. command.Statements.SelectMany(s => s.Tables).Distinct()];

    [Test]
    public void An_unconfirmed_redeclaration_is_judged_with_both_queries_and_a_confirmed_one_with_its_own()
    {
        var cursors = new CursorQueries();
        var first = new PendingResponse(PendingKind.Query);
        cursors.Declared(first, Analyze("DECLARE c CURSOR FOR SELECT * FROM orders"));
        cursors.Confirmed(first);
        var second = new PendingResponse(PendingKind.Query);
        cursors.Declared(second, Analyze("DECLARE c CURSOR FOR SELECT * FROM events"));

        Assert.That(TablesOf(cursors.Inherit(Analyze("FETCH ALL FROM c"), out _)), Is.EquivalentTo(new[] { "orders", "events" }),
            "until the server answers, the old cursor may still be the one that is open");

        cursors.FailedOrSkipped(second);
        Assert.That(TablesOf(cursors.Inherit(Analyze("FETCH ALL FROM c"), out _)), Is.EquivalentTo(new[] { "orders", "events" }),
            "refused (42P03) or skipped: still both");

        var third = new PendingResponse(PendingKind.Query);
        cursors.Declared(third, Analyze("CLOSE c; DECLARE c CURSOR FOR SELECT * FROM audit"));
        cursors.Confirmed(third);
        Assert.That(TablesOf(cursors.Inherit(Analyze("FETCH ALL FROM c"), out var unknown)), Is.EquivalentTo(new[] { "audit" }));
        Assert.That(unknown, Is.Null);
    }

    [Test]
    public void A_cursor_never_declared_here_is_judged_as_the_FETCH_alone()
    {
        var fetch = Analyze("FETCH ALL FROM \"<unnamed portal 1>\"");

        Assert.That(new CursorQueries().Inherit(fetch, out var unknown), Is.SameAs(fetch));
        Assert.That(unknown, Is.Null);
    }

    [Test]
    public void Past_the_statements_kept_per_name_a_FETCH_of_that_name_is_unknown()
    {
        var cursors = new CursorQueries();
        for (var i = 0; i <= CursorQueries.MaxStatementsPerName; i++)
            cursors.Declared(new PendingResponse(PendingKind.Query), Analyze($"DECLARE c CURSOR FOR SELECT * FROM t{i}"));

        cursors.Inherit(Analyze("FETCH ALL FROM c"), out var unknown);

        Assert.That(unknown, Is.EqualTo("c"));
    }

    [Test]
    public void Past_the_names_kept_a_FETCH_of_a_name_not_kept_is_unknown()
    {
        var cursors = new CursorQueries();
        for (var i = 0; i <= CursorQueries.MaxNames; i++)
            cursors.Declared(new PendingResponse(PendingKind.Query), Analyze($"DECLARE c{i} CURSOR FOR SELECT 1"));

        cursors.Inherit(Analyze($"FETCH ALL FROM c{CursorQueries.MaxNames}"), out var unknown);
        cursors.Inherit(Analyze("FETCH ALL FROM c0"), out var kept);

        Assert.That(unknown, Is.EqualTo($"c{CursorQueries.MaxNames}"));
        Assert.That(kept, Is.Null);
    }
}
