using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Tests.Postgres.Analysis;

public sealed class AnalysisCacheTests
{
    private static SqlAnalysis Result(string kind) => new([new StatementInfo { Kind = kind }], null);

    /// <summary>A text is admitted on its second sighting (see <see cref="AnalysisCache"/>).</summary>
    private static void AddSeenTwice(AnalysisCache cache, string text, SqlAnalysis analysis)
    {
        cache.Add(text, analysis);
        cache.Add(text, analysis);
    }

    [Test]
    public void A_text_seen_once_is_not_cached_and_the_second_sighting_admits_it()
    {
        var cache = new AnalysisCache(maxEntries: 4, maxTotalBytes: 1024, maxTextLength: 100);
        var analysis = Result("select");

        cache.Add("SELECT 1", analysis);
        Assert.That(cache.TryGet("SELECT 1", out _), Is.False, "a one-off is not kept");
        Assert.That(cache.Count, Is.Zero);

        cache.Add("SELECT 1", analysis);
        Assert.That(cache.TryGet("SELECT 1", out var hit), Is.True);
        Assert.That(hit, Is.SameAs(analysis));
    }

    [Test]
    public void One_off_texts_do_not_push_repeated_statements_out()
    {
        var cache = new AnalysisCache(maxEntries: 128, maxTotalBytes: 1 << 20, maxTextLength: 100);
        AddSeenTwice(cache, "SELECT * FROM accounts WHERE id = $1", Result("select"));

        for (var i = 0; i < 1000; i++)
            cache.Add($"SELECT abalance FROM pgbench_accounts WHERE aid = {i}", Result("select"));

        Assert.That(cache.TryGet("SELECT * FROM accounts WHERE id = $1", out _), Is.True);
        // Without the doorkeeper all 1,000 would have been admitted and the repeated statement evicted; its false
        // positives (under ~6 %) let a few in early.
        Assert.That(cache.Count, Is.LessThan(100));
    }

    [Test]
    public void Hit_returns_the_stored_analysis()
    {
        var cache = new AnalysisCache(maxEntries: 4, maxTotalBytes: 1024, maxTextLength: 100);
        var analysis = Result("select");
        AddSeenTwice(cache, "SELECT 1", analysis);

        Assert.That(cache.TryGet("SELECT 1", out var hit), Is.True);
        Assert.That(hit, Is.SameAs(analysis));
        Assert.That(cache.TryGet("SELECT 2", out _), Is.False);
    }

    [Test]
    public void Least_recently_used_entry_is_evicted_at_the_entry_bound()
    {
        var cache = new AnalysisCache(maxEntries: 2, maxTotalBytes: 1024, maxTextLength: 100);
        AddSeenTwice(cache, "a", Result("select"));
        AddSeenTwice(cache, "b", Result("select"));
        cache.TryGet("a", out _);          // a is now more recent than b
        AddSeenTwice(cache, "c", Result("select"));

        Assert.That(cache.Count, Is.EqualTo(2));
        Assert.That(cache.TryGet("a", out _), Is.True);
        Assert.That(cache.TryGet("b", out _), Is.False);
        Assert.That(cache.TryGet("c", out _), Is.True);
    }

    [Test]
    public void Total_text_bytes_stay_under_the_byte_bound()
    {
        var cache = new AnalysisCache(maxEntries: 100, maxTotalBytes: 100, maxTextLength: 100);
        for (var i = 0; i < 20; i++)
            AddSeenTwice(cache, $"SELECT {i:D10}", Result("select"));  // 17 chars = 34 bytes each

        Assert.That(cache.TotalBytes, Is.LessThanOrEqualTo(100));
        Assert.That(cache.Count, Is.EqualTo(2));
        Assert.That(cache.TryGet("SELECT 0000000019", out _), Is.True);
    }

    [Test]
    public void Long_texts_and_a_disabled_cache_store_nothing()
    {
        var cache = new AnalysisCache(maxEntries: 10, maxTotalBytes: 10_000, maxTextLength: 5);
        AddSeenTwice(cache, "SELECT 1", Result("select"));
        var disabled = new AnalysisCache(maxEntries: 0, maxTotalBytes: 10_000, maxTextLength: 100);
        AddSeenTwice(disabled, "SELECT 1", Result("select"));

        Assert.That(cache.Count, Is.Zero);
        Assert.That(disabled.Count, Is.Zero);
    }

    [Test]
    public void Concurrent_use_keeps_the_bounds()
    {
        var cache = new AnalysisCache(maxEntries: 50, maxTotalBytes: 2000, maxTextLength: 100);
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var text = $"SELECT {i % 300}";
            if (!cache.TryGet(text, out var hit))
                cache.Add(text, Result("select"));
            else if (hit.Statements[0].Kind != "select")
                throw new InvalidOperationException("corrupted entry");
        });

        Assert.That(cache.Count, Is.LessThanOrEqualTo(50));
        Assert.That(cache.TotalBytes, Is.LessThanOrEqualTo(2000));
    }

    [Test]
    public void Analyzer_serves_repeated_texts_from_its_cache()
    {
        var analyzer = new SqlAnalyzer(new SqlAnalyzerOptions { CacheEntries = 2 });
        analyzer.Analyze("SELECT pg_read_file('x')", CommandOrigin.Query);           // seen once
        var first = analyzer.Analyze("SELECT pg_read_file('x')", CommandOrigin.Query);   // admitted
        var second = analyzer.Analyze("SELECT pg_read_file('x')", CommandOrigin.Prepare); // served
        for (var i = 0; i < 2; i++)
        {
            analyzer.Analyze("SELECT 2", CommandOrigin.Query);
            analyzer.Analyze("SELECT 3", CommandOrigin.Query);
        }

        Assert.That(second.Statements, Is.EqualTo(first.Statements));
        Assert.That(second.Origin, Is.EqualTo(CommandOrigin.Prepare));
        Assert.That(analyzer.CachedTexts, Is.EqualTo(2));
        Assert.That(second.Statements[0].Functions, Is.EqualTo(new[] { "pg_read_file" }));
    }
}
