using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Tests.Postgres.Analysis;

/// <summary>
/// A text is analysed as the server reads it with standard_conforming_strings on and, when an ordinary literal holds
/// a backslash, as it would read it with the setting off (a function may turn it off where the analysis cannot see).
/// The analysis stands only if the second reading does not parse or has the same facts.
/// </summary>
[TestFixture]
public sealed class ReadAlikeTests
{
    private static Command Analyze(string sql) => new SqlAnalyzer().Analyze(sql, CommandOrigin.Query);

    [TestCase("SELECT '\\', $$'; DROP TABLE t; -- $$")]
    [TestCase("SELECT query_to_xml('select ssn from \"peo\\ple\"', true, false, '')")]
    [TestCase("SELECT 'a\\'; DELETE FROM t; --'")]
    public void A_text_that_means_something_else_with_the_setting_off_is_refused(string sql)
    {
        var command = Analyze(sql);

        Assert.That(command.ParseError, Is.True);
        Assert.That(command.ParseErrorMessage, Does.Contain("mean something else when standard_conforming_strings is off"),
            "refused after reading it both ways, not for want of the second reading");
    }

    [TestCase("SELECT replace('C:\\temp', '\\', '/')", TestName = "a lone backslash literal (the second reading does not parse)")]
    [TestCase("SELECT 'C:\\temp\\x', '\\\\', E'it\\'s', $$a\\'b$$", TestName = "backslashes that read alike")]
    [TestCase("SELECT '^\\d+$' ~ 'x'", TestName = "a regular expression")]
    public void Honest_backslashes_are_analysed_as_usual(string sql)
    {
        var command = Analyze(sql);

        Assert.That(command.ParseError, Is.False, command.ParseErrorMessage);
        Assert.That(command.Statements.Select(s => s.Kind), Is.EqualTo(new[] { StatementKinds.Select }));
    }

    [Test]
    public void A_text_long_enough_to_parse_on_a_thread_of_its_own_is_read_both_ways_too()
    {
        var padded = "SELECT '\\', $$'; DROP TABLE t; -- $$ /* " + new string('x', 10_000) + " */";

        Assert.That(Analyze(padded).ParseErrorMessage, Does.Contain("mean something else when standard_conforming_strings is off"));
    }

    [Test]
    public void A_second_reading_that_fails_for_any_reason_but_an_unterminated_literal_is_refused()
    {
        // With the setting off, \xff is a byte the gateway's UTF-8 reader refuses, but a LATIN1 server would run the DROP.
        var command = Analyze("SELECT '\\xff\\', $$'; DROP TABLE t; -- $$");

        Assert.That(command.ParseErrorMessage, Does.Contain("mean something else when standard_conforming_strings is off"));
    }

    [Test]
    public void The_second_reading_leaves_the_lexer_as_it_was()
    {
        Analyze("SELECT '\\', $$'; DROP TABLE t; -- $$");

        // With the setting still off, this would be an unterminated literal.
        Assert.That(Analyze("SELECT 'ends in a backslash\\' AS v").ParseError, Is.False);
    }

    [Test]
    public void A_backslash_after_a_non_ASCII_character_in_a_literal_is_refused_but_not_in_a_comment()
    {
        Assert.That(Analyze("SELECT E'Á\\'; DROP TABLE t; --'").ParseErrorMessage, Does.Contain("client encodings"));
        Assert.That(Analyze("SELECT 1 -- Á\\ in a comment").ParseError, Is.False);
    }
}
