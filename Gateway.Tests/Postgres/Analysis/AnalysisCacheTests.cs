using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Tests.Postgres.Analysis;

public sealed class AnalysisCacheTests
{
    private static SqlAnalysis Result(string kind) => new([new StatementInfo { Kind = kind }], null);

    [Test]
    public void Hit_returns_the_stored_analysis()
    {
        var cache = new AnalysisCache(maxEntries: 4, maxTotalBytes: 1024, maxTextLength: 100);
        var analysis = Result("select");
        cache.Add("SELECT 1", analysis);

        Assert.That(cache.TryGet("SELECT 1", out var hit), Is.True);
        Assert.That(hit, Is.SameAs(analysis));
        Assert.That(cache.TryGet("SELECT 2", out _), Is.False);
    }

    [Test]
    public void Least_recently_used_entry_is_evicted_at_the_entry_bound()
    {
        var cache = new AnalysisCache(maxEntries: 2, maxTotalBytes: 1024, maxTextLength: 100);
        cache.Add("a", Result("select"));
        cache.Add("b", Result("select"));
        cache.TryGet("a", out _);          // a is now more recent than b
        cache.Add("c", Result("select"));

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
            cache.Add($"SELECT {i:D10}", Result("select"));  // 17 chars = 34 bytes each

        Assert.That(cache.TotalBytes, Is.LessThanOrEqualTo(100));
        Assert.That(cache.Count, Is.EqualTo(2));
        Assert.That(cache.TryGet("SELECT 0000000019", out _), Is.True);
    }

    [Test]
    public void Long_texts_and_a_disabled_cache_store_nothing()
    {
        var cache = new AnalysisCache(maxEntries: 10, maxTotalBytes: 10_000, maxTextLength: 5);
        cache.Add("SELECT 1", Result("select"));
        var disabled = new AnalysisCache(maxEntries: 0, maxTotalBytes: 10_000, maxTextLength: 100);
        disabled.Add("SELECT 1", Result("select"));

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
        var first = analyzer.Analyze("SELECT pg_read_file('x')", CommandOrigin.Query);
        var second = analyzer.Analyze("SELECT pg_read_file('x')", CommandOrigin.Prepare);
        analyzer.Analyze("SELECT 2", CommandOrigin.Query);
        analyzer.Analyze("SELECT 3", CommandOrigin.Query);

        Assert.That(second.Statements, Is.EqualTo(first.Statements));
        Assert.That(second.Origin, Is.EqualTo(CommandOrigin.Prepare));
        Assert.That(analyzer.CachedTexts, Is.EqualTo(2));
        Assert.That(second.Statements[0].Functions, Is.EqualTo(new[] { "pg_read_file" }));
    }
}
