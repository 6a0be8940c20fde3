using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Tests.Postgres.Analysis;

/// <summary>
/// The bypass and benign corpora through the real analyser: every bypass attempt shows the fact the agent
/// rules deny on, and no benign statement shows any denied fact.
/// </summary>
public sealed class SqlCorpusTests
{
    private static readonly SqlAnalyzer Analyzer = new();

    private static IEnumerable<SqlCorpusEntry> BypassEntries() => SqlCorpus.Bypass;

    private static IEnumerable<SqlCorpusEntry> BenignEntries() => SqlCorpus.Benign;

    [Test]
    public void Corpora_are_large_enough_and_well_named()
    {
        var bypass = SqlCorpus.Bypass;
        var benign = SqlCorpus.Benign;
        Assert.That(bypass, Has.Count.GreaterThanOrEqualTo(120));
        Assert.That(benign, Has.Count.GreaterThanOrEqualTo(60));
        Assert.That(bypass.Select(e => e.Name), Is.Unique);
        Assert.That(benign.Select(e => e.Name), Is.Unique);
        Assert.That(benign.Select(e => e.Expect), Has.All.EqualTo("allow"));
    }

    [TestCaseSource(nameof(BypassEntries))]
    public void Bypass_attempt_shows_the_denied_fact(SqlCorpusEntry entry)
    {
        var command = Analyzer.Analyze(entry.Sql, CommandOrigin.Query);

        Assert.That(DangerousFacts.Shows(command, entry.Expect), Is.True,
            $"{entry.Name}: expected {entry.Expect}; analysis found [{string.Join(", ", DangerousFacts.Of(command))}] in:\n{entry.Sql}");
        if (entry.Expect != "parse_error")
            Assert.That(command.ParseError, Is.False, command.ParseErrorMessage);
    }

    [TestCaseSource(nameof(BenignEntries))]
    public void Benign_statement_shows_no_denied_fact(SqlCorpusEntry entry)
    {
        var command = Analyzer.Analyze(entry.Sql, CommandOrigin.Query);

        Assert.That(DangerousFacts.Of(command), Is.Empty, $"{entry.Name}:\n{entry.Sql}");
    }

    [Test]
    public void Every_prefix_of_every_entry_analyses_without_throwing()
    {
        var analyzer = new SqlAnalyzer(new SqlAnalyzerOptions { CacheEntries = 0 });
        var analysed = 0;
        foreach (var entry in SqlCorpus.Bypass.Concat(SqlCorpus.Benign))
        {
            for (var length = 0; length <= entry.Sql.Length; length++)
            {
                var command = analyzer.Analyze(entry.Sql[..length], CommandOrigin.Query);
                Assert.That(command.ParseError || command.ParseErrorMessage is null, Is.True);
                analysed++;
            }
        }
        Assert.That(analysed, Is.GreaterThan(10_000));
    }
}
