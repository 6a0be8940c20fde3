using System.Text;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Tests.Postgres.Analysis;

/// <summary>
/// Shape keys through the real lexer, and the analyser's shape cache: a text served from its shape must get
/// exactly the analysis a parse of that very text would give.
/// </summary>
public sealed class SqlShapeTests
{
    private static string? Shape(string sql)
    {
        Assert.That(NativeSqlText.TryEncode(sql, 1 << 20, out var text, out _), Is.True);
        using (text)
            return SqlShape.Of(text, []);
    }

    [Test]
    public void Texts_differing_only_in_constants_share_a_shape()
    {
        var shape = Shape("SELECT abalance FROM pgbench_accounts WHERE aid = 48213;");

        Assert.That(shape, Is.Not.Null);
        Assert.That(Shape("SELECT abalance FROM pgbench_accounts WHERE aid = 7;"), Is.EqualTo(shape));
        Assert.That(Shape("SELECT abalance  FROM pgbench_accounts\n WHERE aid = 7;"), Is.EqualTo(shape), "whitespace is no token");
        Assert.That(Shape("SELECT abalance FROM pgbench_accounts WHERE aid = 7 /* request 2 */;"),
            Is.EqualTo(Shape("SELECT abalance FROM pgbench_accounts WHERE aid = 9 /* request 3 */;")), "a comment's text is left out");
        Assert.That(Shape("SELECT name FROM t WHERE a = 'x' AND b = E'\\n' AND c = $q$y$q$"),
            Is.EqualTo(Shape("SELECT name FROM t WHERE a = 'it''s' AND b = 'z' AND c = 'w'")), "every string literal form is one kind");
    }

    [TestCase("SELECT abalance FROM pgbench_accounts WHERE aid = 1", "SELECT abalance FROM pgbench_accounts WHERE bid = 1")]
    [TestCase("SELECT a FROM t", "SELECT a FROM \"t\"")]
    [TestCase("SELECT a FROM t", "select a from t")]
    [TestCase("SELECT 1", "SELECT 1.5")]
    [TestCase("SELECT 1", "SELECT '1'")]
    [TestCase("SELECT 1", "SELECT 99999999999")]
    [TestCase("SELECT $1", "SELECT $2")]
    [TestCase("SELECT a FROM t WHERE a < 1", "SELECT a FROM t WHERE a <= 1")]
    [TestCase("SELECT ab FROM t", "SELECT a b FROM t")]
    [TestCase("SELECT a FROM t WHERE a NOT IN (1)", "SELECT a FROM t WHERE a NOT /**/ IN (1)")]
    [TestCase("SELECT treat(1 AS float(10))", "SELECT treat(1 AS float(30))")]
    [TestCase("SELECT 1::float(10)", "SELECT 1::float(11)")]
    public void Texts_differing_in_anything_but_constant_values_do_not(string one, string other)
    {
        Assert.That(Shape(one), Is.Not.Null);
        Assert.That(Shape(other), Is.Not.Null);
        Assert.That(Shape(one), Is.Not.EqualTo(Shape(other)));
    }

    [TestCase("SELECT * FROM U&\"d!0061ta\" UESCAPE '!'")]
    [TestCase("SELECT * FROM U&\"d\\0061ta\"")]
    [TestCase("SELECT U&'d\\0061ta'")]
    [TestCase("SELECT 'unterminated")]
    [TestCase("SELECT 1 /* unterminated")]
    public void Unicode_escapes_and_texts_the_lexer_rejects_have_no_shape(string sql)
    {
        Assert.That(Shape(sql), Is.Null);
    }

    [Test]
    public void A_shape_seen_twice_is_served_to_new_literals()
    {
        var analyzer = new SqlAnalyzer();
        var first = analyzer.Analyze("SELECT abalance FROM pgbench_accounts WHERE aid = 1;", CommandOrigin.Query);
        Assert.That(analyzer.CachedShapes, Is.Zero, "a one-off is not even scanned: its hint is new");

        var second = analyzer.Analyze("SELECT abalance FROM pgbench_accounts WHERE aid = 2;", CommandOrigin.Query);
        var third = analyzer.Analyze("SELECT abalance FROM pgbench_accounts WHERE aid = 3;", CommandOrigin.Query);

        Assert.That(analyzer.CachedShapes, Is.EqualTo(1), "the second sighting is scanned and its shape cached");
        Assert.That(first.Statements == second.Statements, Is.False, "the first two are parsed");
        Assert.That(third.Statements == second.Statements, Is.True, "the third comes from the shape cache");
        Assert.That(third.Text, Is.EqualTo("SELECT abalance FROM pgbench_accounts WHERE aid = 3;"));
        Assert.That(Describe(third), Is.EqualTo(Describe(Uncached(third.Text))));
    }

    [Test]
    public void The_hint_ignores_digits_and_quoted_text_only()
    {
        var hint = ShapeHint.Of("SELECT name FROM t WHERE id = 42 AND tag = 'a'");

        Assert.That(ShapeHint.Of("SELECT name FROM t WHERE id = 7 AND tag = 'it''s'"), Is.EqualTo(hint));
        Assert.That(ShapeHint.Of("SELECT name FROM u WHERE id = 7 AND tag = 'a'"), Is.Not.EqualTo(hint));
    }

    /// <summary>
    /// Pairs of one shape where a fact comes from a constant: after the first text is analysed (three times, so
    /// any cache would admit it), the second must still get its own analysis.
    /// </summary>
    [TestCase("SET standard_conforming_strings = 'on'", "SET standard_conforming_strings = 'off'")]
    [TestCase("ALTER SYSTEM SET standard_conforming_strings = 'on'", "ALTER SYSTEM SET standard_conforming_strings = 'off'")]
    [TestCase("SELECT set_config('standard_conforming_strings', 'on', false)", "SELECT set_config('standard_conforming_strings', 'off', false)")]
    [TestCase("SELECT set_config('application_name', 'x', false)", "SELECT set_config('client_encoding', 'SJIS', false)")]
    [TestCase("SELECT query_to_xml('SELECT 1', true, true, '')", "SELECT query_to_xml('DELETE FROM accounts', true, true, '')")]
    [TestCase("SELECT query_to_xml('SELECT 1', true, true, '')", "SELECT query_to_xml('SELECT pg_read_file(''/etc/passwd'')', true, true, '')")]
    [TestCase("EXPLAIN (ANALYZE 'off') DELETE FROM accounts", "EXPLAIN (ANALYZE 'on') DELETE FROM accounts")]
    [TestCase("SELECT * FROM U&\"d!0061ta\" UESCAPE '#'", "SELECT * FROM U&\"d!0061ta\" UESCAPE '!'")]
    [TestCase("SELECT treat(1 AS float(10))", "SELECT treat(1 AS float(30))")]
    [TestCase("DELETE FROM accounts WHERE id = treat(id AS float(10))", "DELETE FROM accounts WHERE id = treat(id AS float(30))")]
    [TestCase("SELECT 1::float(10)", "SELECT 1::float(99)")]
    [TestCase("ALTER TABLE t ALTER 1 SET STATISTICS 1", "ALTER TABLE t ALTER 0 SET STATISTICS 1")]
    [TestCase("SET TIME ZONE INTERVAL '1' HOUR", "SET TIME ZONE INTERVAL '1' DAY")]
    [TestCase("SELECT a FROM t WHERE a NOT IN (1)", "SELECT a FROM t WHERE a NOT /**/ IN (1)")]
    public void A_fact_read_from_a_constant_is_never_shared(string seed, string variant)
    {
        var analyzer = new SqlAnalyzer();
        for (var i = 0; i < 3; i++)
            analyzer.Analyze(seed, CommandOrigin.Query);

        var served = analyzer.Analyze(variant, CommandOrigin.Query);

        var own = Uncached(variant);
        Assert.That(Describe(own), Is.Not.EqualTo(Describe(Uncached(seed))), "the pair must differ for the test to mean anything");
        Assert.That(Describe(served), Is.EqualTo(Describe(own)));
    }

    /// <summary>
    /// Every corpus entry (bypass attempts and benign statements) with its constants replaced by other values of
    /// the same kind, SQL and setting values among them: the analysis the analyser serves for the variant, after
    /// the original filled its caches, is the analysis of the variant itself.
    /// </summary>
    [Test]
    public void Every_corpus_entry_with_other_constants_gets_its_own_facts()
    {
        // Integers across the grammar's thresholds too (FLOAT(p): 24/25 and 53/54; column numbers from 1).
        (string Text, string Integer)[] replacements =
            [("'DELETE FROM accounts'", "30"), ("'off'", "99"), ("'SJIS'", "1"), ("'pg_read_file'", "0"), ("''", "7")];
        var shared = 0;
        var compared = 0;
        foreach (var entry in SqlCorpus.Bypass.Concat(SqlCorpus.Benign))
        {
            foreach (var (text, integer) in replacements)
            {
                var variant = ReplaceConstants(entry.Sql, text, integer);
                if (variant is null || variant == entry.Sql)
                    continue;

                var analyzer = new SqlAnalyzer();
                analyzer.Analyze(entry.Sql, CommandOrigin.Query);
                analyzer.Analyze(entry.Sql, CommandOrigin.Query);
                var original = analyzer.Analyze(entry.Sql, CommandOrigin.Query);
                var served = analyzer.Analyze(variant, CommandOrigin.Query);

                Assert.That(Describe(served), Is.EqualTo(Describe(Uncached(variant))),
                    $"{entry.Name}: the shape cache served another text's facts for:\n{variant}");
                compared++;
                // Another text with the very same statements array can only have come from the shape cache.
                if (!served.ParseError && served.Statements == original.Statements)
                    shared++;
            }
        }

        // Not vacuous: most entries have constants, and many analyses hold for their shape.
        Assert.That(compared, Is.GreaterThan(500));
        Assert.That(shared, Is.GreaterThan(200));
    }

    /// <summary>The text with every constant replaced: strings by <paramref name="text"/>, integers by <paramref name="integer"/>, other numbers by 2.5, bit strings by B'1'.</summary>
    private static string? ReplaceConstants(string sql, string text, string integer)
    {
        if (!NativeSqlText.TryEncode(sql, 1 << 20, out var encoded, out _))
            return null;
        using (encoded)
        {
            var tokens = new List<SqlToken>();
            if (!PgQueryScanner.TryScan(encoded, tokens, out _))
                return null;
            var utf8 = encoded.Buffer.AsSpan(0, encoded.Length);
            var output = new StringBuilder();
            var position = 0;
            foreach (var token in tokens)
            {
                var replacement = token.Token switch
                {
                    SqlToken.StringConstant => text,
                    SqlToken.IntegerConstant => integer,
                    SqlToken.FloatConstant => "2.5",
                    SqlToken.BitStringConstant or SqlToken.HexStringConstant => "B'1'",
                    _ => null,
                };
                if (replacement is null)
                    continue;
                output.Append(Encoding.UTF8.GetString(utf8[position..token.Start])).Append(replacement);
                position = token.End;
            }
            output.Append(Encoding.UTF8.GetString(utf8[position..]));
            return output.ToString();
        }
    }

    private static Command Uncached(string sql)
        => new SqlAnalyzer(new SqlAnalyzerOptions { CacheEntries = 0 }).Analyze(sql, CommandOrigin.Query);

    /// <summary>Every fact of a command, in order.</summary>
    private static string Describe(Command command)
    {
        if (command.ParseError)
            return $"parse error: {command.ParseErrorMessage}";
        return string.Join("\n", command.Statements.Select(s =>
            $"{s.Kind} nested={s.Nested} writes={s.ModifiesData} where={s.HasWhere} setting={s.Setting} name={s.Name} "
            + $"tables=[{string.Join(",", s.Tables)}] functions=[{string.Join(",", s.Functions)}]"));
    }
}
