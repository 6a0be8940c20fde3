using Gateway.Tests.Fixtures;
using Gateway.Tests.Postgres.Analysis;

namespace Gateway.Tests.Postgres.EndToEnd;

/// <summary>
/// The public corpus through the real gateway with the shipped agents policy: every bypass attempt comes back as
/// 42501 and leaves the database untouched; every benign statement is let through. Each entry is sent by psql as
/// one simple Query message, exactly as an agent would send it.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class BypassCorpusTests
{
    // Catalog and data the bypass attempts would change if one got through.
    private const string Snapshot = """
        SELECT concat_ws(' | ',
            (SELECT count(*) FROM pg_catalog.pg_class),
            (SELECT count(*) FROM pg_catalog.pg_roles),
            (SELECT count(*) FROM pg_catalog.pg_proc),
            (SELECT count(*) FROM pg_catalog.pg_namespace),
            (SELECT count(*) FROM pg_catalog.pg_largeobject_metadata),
            (SELECT count(*) FROM pg_catalog.pg_file_settings),
            (SELECT string_agg(rolname || ':' || rolsuper || rolcanlogin, ',' ORDER BY rolname) FROM pg_catalog.pg_roles),
            (SELECT md5(string_agg(a::text, ',' ORDER BY id)) FROM public.accounts a),
            (SELECT md5(string_agg(s::text, ',' ORDER BY account_id)) FROM public.sessions s),
            (SELECT md5(string_agg(c::text, ',' ORDER BY id)) FROM public.corpus_sentinel c))
        """;

    private PostgresServer _pg = null!;
    private GatewayUnderTest _gateway = null!;
    private string _token = null!;
    private string _before = null!;

    public static IEnumerable<SqlCorpusEntry> BypassAttempts => SqlCorpus.Bypass;

    public static IEnumerable<SqlCorpusEntry> BenignStatements => SqlCorpus.Benign;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        await _pg.ExecuteAsync("""
            DROP TABLE IF EXISTS accounts, sessions, audit_log, queue, done, corpus_sentinel;
            CREATE TABLE accounts (id int PRIMARY KEY, balance numeric DEFAULT 0, note text);
            CREATE TABLE sessions (account_id int, expires_at timestamptz, expired bool DEFAULT false);
            CREATE TABLE audit_log (msg text);
            CREATE TABLE queue (id int);
            CREATE TABLE done (id int);
            CREATE TABLE corpus_sentinel (id int PRIMARY KEY, secret text);
            INSERT INTO accounts SELECT g, g * 10, 'note ' || g FROM generate_series(1, 100) g;
            INSERT INTO sessions SELECT g, now() + interval '1 day', false FROM generate_series(1, 20) g;
            INSERT INTO queue SELECT generate_series(1, 10);
            INSERT INTO corpus_sentinel VALUES (1, 'must survive');
            """);
        _gateway = await GatewayUnderTest.StartAsync(_pg);
        _token = _gateway.Token("corpus-agent");
        _before = (string)(await _pg.ScalarAsync(Snapshot))!;
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _gateway.DisposeAsync();

    [Test]
    public void The_corpora_are_large_enough()
    {
        Assert.That(SqlCorpus.Bypass, Has.Count.GreaterThanOrEqualTo(100));
        Assert.That(SqlCorpus.Benign.Count(e => !RefusedByDesign.ContainsKey(e.Name)), Is.GreaterThanOrEqualTo(50));
        Assert.That(RefusedByDesign.Keys, Is.SubsetOf(SqlCorpus.Benign.Select(e => e.Name)), "exceptions name real entries");
    }

    [Order(1)]
    [TestCaseSource(nameof(BypassAttempts))]
    public async Task Bypass_attempt_is_denied_with_42501(SqlCorpusEntry entry)
    {
        var result = await _gateway.PsqlAsync(_token, "-c", entry.Sql);

        Assert.That(result.Stderr, Does.Contain("ERROR:  42501: denied by rule"), $"{entry.Name} ({entry.Expect}) got through:\n{result.Output}");
    }

    [Order(2)]
    [Test]
    public async Task After_every_bypass_attempt_the_database_is_untouched() =>
        Assert.That(await _pg.ScalarAsync(Snapshot), Is.EqualTo(_before));

    /// <summary>
    /// Benign to the analyser, but refused end to end on purpose, each for a reason the agent is told:
    /// COPY ... TO carries no column names, so column masking cannot apply (the session refuses it under a
    /// column-masking plan); <c>query_to_xml</c> runs SQL text whose result columns the masker cannot see.
    /// </summary>
    private static readonly Dictionary<string, string> RefusedByDesign = new(StringComparer.Ordinal)
    {
        ["copy-query-to-stdout"] = "COPY TO cannot be masked by column",
        ["copy-table-to-stdout"] = "COPY TO cannot be masked by column",
        ["query-to-xml-harmless-literal"] = "denied by rule agents-no-dangerous-functions",
    };

    [Order(3)]
    [TestCaseSource(nameof(BenignStatements))]
    public async Task Benign_statement_is_allowed(SqlCorpusEntry entry)
    {
        var result = await _gateway.PsqlAsync(_token, "-c", entry.Sql);
        if (RefusedByDesign.TryGetValue(entry.Name, out var reason))
        {
            Assert.That(result.Stderr, Does.Contain(reason), result.Output);
            return;
        }

        Assert.That(result.Stderr, Does.Not.Contain("denied by rule"), $"{entry.Name} was denied:\n{result.Output}");
        Assert.That(result.Stderr, Does.Not.Contain("42501"), result.Output);
    }
}
