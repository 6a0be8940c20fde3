using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Tests.Postgres.Analysis;

/// <summary>The facts the analyser reports, statement by statement, through the real libpg_query.</summary>
public sealed class SqlAnalyzerTests
{
    private static readonly SqlAnalyzer Analyzer = new(new SqlAnalyzerOptions { CacheEntries = 0 });

    private static Command Analyze(string sql) => Analyzer.Analyze(sql, CommandOrigin.Query);

    private static StatementInfo Single(string sql)
    {
        var command = Analyze(sql);
        Assert.That(command.ParseError, Is.False, command.ParseErrorMessage);
        Assert.That(command.Statements, Has.Length.EqualTo(1), string.Join(", ", command.Statements.Select(s => s.Kind)));
        return command.Statements[0];
    }

    private static string[] Kinds(string sql)
    {
        var command = Analyze(sql);
        Assert.That(command.ParseError, Is.False, command.ParseErrorMessage);
        return [.. command.Statements.Select(s => s.Nested ? s.Kind + "*" : s.Kind)];
    }

    [Test]
    public void Command_carries_protocol_origin_and_text()
    {
        var command = Analyzer.Analyze("SELECT 1", CommandOrigin.Prepare);

        Assert.That(command.Protocol, Is.EqualTo("postgres"));
        Assert.That(command.Origin, Is.EqualTo(CommandOrigin.Prepare));
        Assert.That(command.Text, Is.EqualTo("SELECT 1"));
    }

    [TestCase("")]
    [TestCase(";")]
    [TestCase(" ;; ")]
    [TestCase("-- only a comment")]
    [TestCase("/* only a comment */")]
    public void Empty_query_has_no_statements_and_no_error(string sql)
    {
        var command = Analyze(sql);

        Assert.That(command.ParseError, Is.False);
        Assert.That(command.Statements, Is.Empty);
    }

    [TestCase("SELEC 1", "syntax error")]
    [TestCase("SELECT 'open", "unterminated quoted string")]
    [TestCase("SELECT 1; SELEC 2", "syntax error")]
    public void Unparsable_text_is_a_parse_error_with_the_parser_message(string sql, string message)
    {
        var command = Analyze(sql);

        Assert.That(command.ParseError, Is.True);
        Assert.That(command.ParseErrorMessage, Does.Contain(message));
        Assert.That(command.Statements, Is.Empty);
    }

    [Test]
    public void Text_with_a_nul_is_refused()
    {
        var command = Analyze("SELECT 1\0; DROP TABLE t");

        Assert.That(command.ParseError, Is.True);
        Assert.That(command.ParseErrorMessage, Does.Contain("NUL"));
    }

    [Test]
    public void Text_over_the_byte_cap_is_refused_and_under_it_is_analysed()
    {
        var analyzer = new SqlAnalyzer(new SqlAnalyzerOptions { MaxTextBytes = 64 });
        var fits = "SELECT '" + new string('x', 50) + "'";
        var tooLong = "SELECT '" + new string('é', 30) + "'";   // 30 chars, 60 bytes in UTF-8, 69 in total

        Assert.That(analyzer.Analyze(fits, CommandOrigin.Query).ParseError, Is.False);
        var refused = analyzer.Analyze(tooLong, CommandOrigin.Query);
        Assert.That(refused.ParseError, Is.True);
        Assert.That(refused.ParseErrorMessage, Does.Contain("64 bytes"));
    }

    [Test]
    public void Deeply_nested_expressions_are_analysed_without_recursion_limits()
    {
        const int depth = 2000;
        var sql = "SELECT " + string.Concat(Enumerable.Repeat("lower(", depth)) + "pg_read_file('x')" + new string(')', depth);

        var statement = Single(sql);

        Assert.That(statement.Functions, Is.EquivalentTo(new[] { "lower", "pg_read_file" }));
    }

    [TestCase(" + 1", 3_000)]       // under the inline threshold, on the calling thread
    [TestCase(" + 1", 250_000)]     // a 1 MB left-deep tree: would overflow a thread-pool stack inside libpg_query
    [TestCase("::int", 150_000)]
    [TestCase(" UNION ALL SELECT 1", 40_000)]
    public void Left_deep_chains_as_large_as_the_cap_allows_are_analysed_without_overflowing_a_stack(string link, int count)
    {
        var sql = "SELECT 1" + string.Concat(Enumerable.Repeat(link, count));

        var statement = Single(sql);

        Assert.That(statement.Kind, Is.EqualTo(StatementKinds.Select));
    }

    [Test]
    public void Select_reports_tables_as_written_and_functions_lower_cased()
    {
        var statement = Single("SELECT a.x, Upper(b.y), \"Public\".\"Odd Name\".z FROM Accounts a JOIN public.\"Users\" b ON true, \"Public\".\"Odd Name\", cat.sch.rel");

        Assert.That(statement.Kind, Is.EqualTo(StatementKinds.Select));
        Assert.That(statement.ModifiesData, Is.False);
        Assert.That(statement.Nested, Is.False);
        Assert.That(statement.HasWhere, Is.Null);
        Assert.That(statement.Tables, Is.EqualTo(new[] { "accounts", "public.Users", "Public.Odd Name", "cat.sch.rel" }));
        Assert.That(statement.Functions, Is.EqualTo(new[] { "upper" }));
    }

    [Test]
    public void Qualified_function_is_reported_qualified_and_bare()
    {
        var statement = Single("SELECT PG_CATALOG.\"pg_read_file\"('x'), pg_catalog.now()");

        Assert.That(statement.Functions, Is.EqualTo(new[] { "pg_catalog.pg_read_file", "pg_read_file", "pg_catalog.now", "now" }));
    }

    [Test]
    public void Functions_are_found_in_every_expression_position()
    {
        var statement = Single("""
            WITH c AS (SELECT f_cte())
            SELECT f_select(), (SELECT f_subselect()), CASE WHEN f_case() THEN 1 END, ARRAY[f_array()],
                   count(*) FILTER (WHERE f_filter()), sum(1) OVER (PARTITION BY f_window()), ('x'::text).f_notation
            FROM f_from() AS t, LATERAL (SELECT f_lateral()) AS l, (VALUES (f_values())) AS v(x)
            JOIN pg_class p ON f_join()
            WHERE f_where() AND EXISTS (SELECT f_exists())
            GROUP BY f_group() HAVING f_having()
            ORDER BY f_order() LIMIT f_limit() OFFSET f_offset()
            """);

        string[] expected =
        [
            "f_cte", "f_select", "f_subselect", "f_case", "f_array", "count", "f_filter", "sum", "f_window", "f_notation",
            "f_from", "f_lateral", "f_values", "f_join", "f_where", "f_exists", "f_group", "f_having", "f_order", "f_limit", "f_offset",
        ];
        Assert.That(statement.Functions, Is.EquivalentTo(expected));
    }

    [Test]
    public void Insert_on_conflict_and_returning_functions_belong_to_the_insert()
    {
        var statement = Single("INSERT INTO t (a) SELECT f_source() ON CONFLICT (a) DO UPDATE SET b = f_conflict() WHERE f_conflict_where() RETURNING f_returning()");

        Assert.That(statement.Kind, Is.EqualTo(StatementKinds.Insert));
        Assert.That(statement.ModifiesData, Is.True);
        Assert.That(statement.Tables, Is.EqualTo(new[] { "t" }));
        Assert.That(statement.Functions, Is.EquivalentTo(new[] { "f_source", "f_conflict", "f_conflict_where", "f_returning" }));
    }

    [TestCase("UPDATE t SET a = 1 WHERE id = 1", true)]
    [TestCase("UPDATE t SET a = 1", false)]
    [TestCase("UPDATE t SET a = (SELECT b FROM u WHERE u.id = 1)", false)]
    [TestCase("UPDATE t SET a = 1 WHERE true", false)]
    [TestCase("UPDATE t SET a = 1 WHERE 1 = 1 OR 'a' = 'a'", false)]
    [TestCase("UPDATE t SET a = 1 WHERE id IN (SELECT id FROM u)", true)]
    [TestCase("DELETE FROM t WHERE CURRENT OF c", true)]
    [TestCase("DELETE FROM t", false)]
    [TestCase("DELETE FROM ONLY t WHERE t.id > 3", true)]
    [TestCase("DELETE FROM t USING u WHERE t.id = u.id", true)]
    public void Update_and_delete_report_whether_a_where_filters_rows(string sql, bool hasWhere)
    {
        var statement = Single(sql);

        Assert.That(statement.HasWhere, Is.EqualTo(hasWhere));
        Assert.That(statement.ModifiesData, Is.True);
    }

    [Test]
    public void Data_modifying_ctes_are_nested_statements_even_when_nested_twice()
    {
        var command = Analyze("WITH a AS (WITH b AS (DELETE FROM t RETURNING *) SELECT * FROM b), c AS (UPDATE u SET x = 1 WHERE id = 2 RETURNING *) SELECT * FROM a, c");

        Assert.That(command.Statements.Select(s => (s.Kind, s.Nested, s.HasWhere)), Is.EqualTo(new[]
        {
            (StatementKinds.Select, false, (bool?)null),
            (StatementKinds.Delete, true, (bool?)false),
            (StatementKinds.Update, true, (bool?)true),
        }));
        Assert.That(command.ModifiesData, Is.True);
        Assert.That(command.Statements[1].Tables, Is.EqualTo(new[] { "t" }));
    }

    [Test]
    public void Read_only_ctes_sub_selects_and_set_operations_belong_to_their_query()
    {
        Assert.That(Kinds("WITH r AS (SELECT 1) SELECT * FROM r UNION SELECT (SELECT 2) EXCEPT SELECT 3"), Is.EqualTo(new[] { "select" }));
        Assert.That(Kinds("INSERT INTO t SELECT * FROM u WHERE x IN (SELECT y FROM v)"), Is.EqualTo(new[] { "insert" }));
    }

    [TestCase("EXPLAIN DELETE FROM t", "explain")]
    [TestCase("EXPLAIN ANALYZE DELETE FROM t", "explain_analyze")]
    [TestCase("EXPLAIN ANALYSE DELETE FROM t", "explain_analyze")]
    [TestCase("EXPLAIN (ANALYZE) DELETE FROM t", "explain_analyze")]
    [TestCase("EXPLAIN (ANALYZE true) DELETE FROM t", "explain_analyze")]
    [TestCase("EXPLAIN (ANALYZE on) DELETE FROM t", "explain_analyze")]
    [TestCase("EXPLAIN (ANALYZE 1) DELETE FROM t", "explain_analyze")]
    [TestCase("EXPLAIN (ANALYZE false) DELETE FROM t", "explain")]
    [TestCase("EXPLAIN (ANALYZE OFF) DELETE FROM t", "explain")]
    [TestCase("EXPLAIN (ANALYZE 0) DELETE FROM t", "explain")]
    [TestCase("EXPLAIN (VERBOSE, COSTS off) DELETE FROM t", "explain")]
    public void Explain_reports_its_target_as_a_nested_statement(string sql, string kind)
    {
        Assert.That(Kinds(sql), Is.EqualTo(new[] { kind, "delete*" }));
    }

    [TestCase("PREPARE p AS DELETE FROM t", new[] { "prepare", "delete*" })]
    [TestCase("PREPARE p (int) AS SELECT $1", new[] { "prepare", "select*" })]
    [TestCase("CREATE TABLE t2 AS SELECT * FROM t", new[] { "create", "select*" })]
    [TestCase("CREATE MATERIALIZED VIEW mv AS SELECT 1", new[] { "create", "select*" })]
    [TestCase("CREATE TABLE t2 AS EXECUTE p", new[] { "create", "execute*" })]
    [TestCase("CREATE VIEW v AS SELECT 1", new[] { "create", "select*" })]
    [TestCase("CREATE RULE r AS ON INSERT TO t DO INSTEAD (DELETE FROM u; SELECT 1)", new[] { "create", "delete*", "select*" })]
    [TestCase("DECLARE c CURSOR WITH HOLD FOR SELECT 1", new[] { "cursor", "select*" })]
    [TestCase("COPY (SELECT 1) TO STDOUT", new[] { "copy_to", "select*" })]
    [TestCase("COPY (DELETE FROM t RETURNING *) TO STDOUT", new[] { "copy_to", "delete*" })]
    [TestCase("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC DELETE FROM t; SELECT 1; END", new[] { "create", "delete*", "select*" })]
    [TestCase("CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1", new[] { "create", "select*" })]
    [TestCase("CREATE SCHEMA s CREATE TABLE x (a int) CREATE VIEW v AS SELECT 1", new[] { "create", "create*", "create*", "select*" })]
    [TestCase("ALTER DEFAULT PRIVILEGES REVOKE ALL ON TABLES FROM x", new[] { "alter", "revoke*" })]
    public void Statement_bodies_are_reported_as_nested_statements(string sql, string[] kinds)
    {
        Assert.That(Kinds(sql), Is.EqualTo(kinds));
    }

    [Test]
    public void Select_into_creates_a_table_and_for_update_stays_a_read()
    {
        var into = Single("SELECT * INTO new_table FROM t");
        var locking = Single("SELECT * FROM t WHERE id = 1 FOR UPDATE");

        Assert.That((into.Kind, into.ModifiesData), Is.EqualTo((StatementKinds.Create, true)));
        Assert.That(into.Tables, Is.EquivalentTo(new[] { "new_table", "t" }));
        Assert.That((locking.Kind, locking.ModifiesData), Is.EqualTo((StatementKinds.Select, false)));
    }

    [TestCase("COPY t TO STDOUT", new[] { "copy_to" }, false)]
    [TestCase("COPY t FROM STDIN", new[] { "copy_from" }, true)]
    [TestCase("COPY t TO '/tmp/x'", new[] { "copy_to", "copy_file" }, true)]
    [TestCase("COPY t FROM '/tmp/x'", new[] { "copy_from", "copy_file" }, true)]
    [TestCase("COPY t TO PROGRAM 'cat'", new[] { "copy_to", "copy_program" }, true)]
    [TestCase("COPY t FROM PROGRAM 'id'", new[] { "copy_from", "copy_program" }, true)]
    public void Copy_reports_direction_and_server_side_effect(string sql, string[] kinds, bool modifies)
    {
        var command = Analyze(sql);

        Assert.That(command.Statements.Select(s => s.Kind), Is.EqualTo(kinds));
        Assert.That(command.Statements.Select(s => s.Tables.Single()), Has.All.EqualTo("t"));
        Assert.That(command.ModifiesData, Is.EqualTo(modifies));
    }

    [Test]
    public void Copy_where_clause_functions_are_reported()
    {
        var command = Analyze("COPY t FROM STDIN WHERE pg_read_file('x') IS NOT NULL");

        Assert.That(command.Statements.Single().Functions, Is.EqualTo(new[] { "pg_read_file" }));
    }

    [TestCase("SET search_path TO public", "set", "search_path")]
    [TestCase("SET LOCAL statement_timeout = 5", "set", "statement_timeout")]
    [TestCase("SET TIME ZONE 'UTC'", "set", "timezone")]
    [TestCase("SET NAMES 'UTF8'", "set", "client_encoding")]
    [TestCase("SET \"Search_Path\" TO x", "set", "search_path")]
    [TestCase("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "set", "transaction")]
    [TestCase("SET CONSTRAINTS ALL DEFERRED", "set", "constraints")]
    [TestCase("SET ROLE postgres", "set_role", "role")]
    [TestCase("SET ROLE NONE", "set_role", "role")]
    [TestCase("SET \"ROLE\" = 'postgres'", "set_role", "role")]
    [TestCase("SET SESSION AUTHORIZATION postgres", "set_role", "session_authorization")]
    [TestCase("SET SESSION AUTHORIZATION DEFAULT", "set_role", "session_authorization")]
    [TestCase("SET session_authorization = 'x'", "set_role", "session_authorization")]
    [TestCase("RESET ROLE", "reset", "role")]
    [TestCase("RESET search_path", "reset", "search_path")]
    [TestCase("RESET ALL", "reset", null)]
    [TestCase("SHOW search_path", "show", "search_path")]
    [TestCase("SHOW ALL", "show", "all")]
    [TestCase("ALTER SYSTEM SET work_mem = '1MB'", "alter_system", "work_mem")]
    [TestCase("ALTER ROLE x SET role = 'y'", "role", "role")]
    [TestCase("ALTER DATABASE d SET search_path = evil", "alter", "search_path")]
    public void Settings_are_named_in_lower_case(string sql, string kind, string? setting)
    {
        var statement = Single(sql);

        Assert.That((statement.Kind, statement.Setting), Is.EqualTo((kind, setting)));
    }

    [TestCase("SET standard_conforming_strings = off")]
    [TestCase("SET standard_conforming_strings TO 0")]
    [TestCase("SET client_encoding = 'SJIS'")]
    [TestCase("SET NAMES 'gbk'")]
    [TestCase("SELECT set_config('client_encoding', 'big5', false)")]
    [TestCase("SELECT set_config('standard_conforming_strings', current_setting('x'), false)")]
    [TestCase("SELECT set_config(current_setting('x'), 'y', false)")]
    [TestCase("ALTER SYSTEM SET standard_conforming_strings = off")]
    [TestCase("ALTER ROLE app SET client_encoding = 'gbk'")]
    [TestCase("ALTER DATABASE d SET standard_conforming_strings TO false")]
    public void Changing_how_the_server_lexes_sql_is_refused(string sql)
    {
        var command = Analyze(sql);

        Assert.That(command.ParseError, Is.True);
        Assert.That(command.ParseErrorMessage, Does.Contain("read SQL differently").Or.Contain("cannot be analysed"));
    }

    [TestCase("SET standard_conforming_strings = on")]
    [TestCase("SET standard_conforming_strings TO DEFAULT")]
    [TestCase("SET client_encoding = 'utf-8'")]
    [TestCase("SET NAMES 'UNICODE'")]
    [TestCase("SELECT set_config('client_encoding', 'UTF8', false)")]
    [TestCase("SELECT set_config('search_path', '', false)")]
    public void Keeping_the_lexer_settings_is_allowed(string sql)
    {
        Assert.That(Analyze(sql).ParseError, Is.False);
    }

    [TestCase("PREPARE fetch_user (int) AS SELECT $1", "prepare", "fetch_user")]
    [TestCase("EXECUTE fetch_user(1)", "execute", "fetch_user")]
    [TestCase("DEALLOCATE fetch_user", "deallocate", "fetch_user")]
    [TestCase("DEALLOCATE ALL", "deallocate", null)]
    [TestCase("FETCH 10 FROM c1", "fetch", "c1")]
    [TestCase("MOVE NEXT IN c1", "fetch", "c1")]
    [TestCase("CLOSE c1", "cursor", "c1")]
    [TestCase("LISTEN jobs", "listen", "jobs")]
    [TestCase("NOTIFY jobs, 'x'", "notify", "jobs")]
    [TestCase("UNLISTEN jobs", "unlisten", "jobs")]
    public void Named_statements_expose_their_name(string sql, string kind, string? name)
    {
        var statement = Analyze(sql).Statements[0];

        Assert.That((statement.Kind, statement.Name), Is.EqualTo((kind, name)));
    }

    [TestCase("BEGIN", "transaction", false)]
    [TestCase("START TRANSACTION READ ONLY", "transaction", false)]
    [TestCase("COMMIT", "transaction", false)]
    [TestCase("ROLLBACK TO SAVEPOINT a", "transaction", false)]
    [TestCase("PREPARE TRANSACTION 'x'", "transaction", false)]
    [TestCase("DO $$ BEGIN NULL; END $$", "do", true)]
    [TestCase("CALL p(1)", "call", true)]
    [TestCase("LOAD 'x'", "load", true)]
    [TestCase("LOCK TABLE t IN ACCESS EXCLUSIVE MODE", "lock", false)]
    [TestCase("VACUUM FULL t", "vacuum", false)]
    [TestCase("ANALYZE t", "analyze", false)]
    [TestCase("CLUSTER t USING i", "cluster", false)]
    [TestCase("REINDEX TABLE t", "reindex", false)]
    [TestCase("CHECKPOINT", "checkpoint", false)]
    [TestCase("DISCARD ALL", "discard", false)]
    [TestCase("REFRESH MATERIALIZED VIEW mv", "refresh", true)]
    [TestCase("COMMENT ON TABLE t IS 'x'", "comment", true)]
    [TestCase("SECURITY LABEL ON TABLE t IS 'x'", "security_label", true)]
    [TestCase("TRUNCATE ONLY t", "truncate", true)]
    [TestCase("GRANT SELECT ON t TO x", "grant", true)]
    [TestCase("GRANT r TO u", "grant", true)]
    [TestCase("REVOKE r FROM u", "revoke", true)]
    [TestCase("REVOKE ALL ON t FROM PUBLIC", "revoke", true)]
    [TestCase("CREATE ROLE x", "role", true)]
    [TestCase("CREATE USER x PASSWORD 'p'", "role", true)]
    [TestCase("CREATE GROUP g", "role", true)]
    [TestCase("ALTER USER x NOSUPERUSER", "role", true)]
    [TestCase("ALTER GROUP g ADD USER u", "role", true)]
    [TestCase("ALTER ROLE x RENAME TO y", "role", true)]
    [TestCase("DROP ROLE x", "role", true)]
    [TestCase("DROP GROUP g", "role", true)]
    [TestCase("ALTER SYSTEM RESET ALL", "alter_system", true)]
    [TestCase("CREATE TABLE t (a int)", "create", true)]
    [TestCase("CREATE INDEX i ON t (a)", "create", true)]
    [TestCase("CREATE EXTENSION x", "create", true)]
    [TestCase("CREATE USER MAPPING FOR u SERVER s", "create", true)]
    [TestCase("CREATE DATABASE d", "create", true)]
    [TestCase("ALTER TABLE t ADD COLUMN b int", "alter", true)]
    [TestCase("ALTER TABLE t RENAME TO u", "alter", true)]
    [TestCase("ALTER TABLE t OWNER TO x", "alter", true)]
    [TestCase("REASSIGN OWNED BY a TO b", "alter", true)]
    [TestCase("DROP TABLE t", "drop", true)]
    [TestCase("DROP DATABASE d", "drop", true)]
    [TestCase("DROP OWNED BY x", "drop", true)]
    [TestCase("DROP USER MAPPING FOR u SERVER s", "drop", true)]
    [TestCase("MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN DELETE", "merge", true)]
    public void Statement_kinds(string sql, string kind, bool modifiesData)
    {
        var statement = Analyze(sql).Statements[0];

        Assert.That((statement.Kind, statement.ModifiesData, statement.Nested), Is.EqualTo((kind, modifiesData, false)));
    }

    [Test]
    public void Drop_names_the_dropped_relations()
    {
        Assert.That(Single("DROP TABLE s.a, b CASCADE").Tables, Is.EqualTo(new[] { "s.a", "b" }));
        Assert.That(Single("DROP FUNCTION f()").Tables, Is.Empty);
    }

    [Test]
    public void Functions_in_defaults_checks_indexes_and_triggers_are_reported()
    {
        Assert.That(Single("CREATE TABLE t (a text DEFAULT f_default() CHECK (f_check(a)), b int GENERATED ALWAYS AS (f_generated()) STORED)").Functions,
            Is.EquivalentTo(new[] { "f_default", "f_check", "f_generated" }));
        Assert.That(Single("CREATE INDEX ON t ((f_index(a))) WHERE f_partial(b)").Functions, Is.EquivalentTo(new[] { "f_index", "f_partial" }));
        Assert.That(Single("ALTER TABLE t ALTER COLUMN a SET DEFAULT f_alter()").Functions, Is.EqualTo(new[] { "f_alter" }));
        Assert.That(Single("CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION s.f_trigger()").Functions,
            Is.EqualTo(new[] { "s.f_trigger", "f_trigger" }));
    }

    [Test]
    public void Call_names_the_procedure_as_a_function()
    {
        var statement = Single("CALL admin.Reset_All(f_arg())");

        Assert.That(statement.Functions, Is.EquivalentTo(new[] { "f_arg", "admin.reset_all", "reset_all" }));
    }

    [Test]
    public void Field_selection_is_reported_as_a_possible_function_call()
    {
        // ('/etc/passwd'::text).pg_read_file calls pg_read_file: PostgreSQL's functional notation.
        Assert.That(Single("SELECT ('/etc/passwd'::text).pg_read_file").Functions, Is.EqualTo(new[] { "pg_read_file" }));
        Assert.That(Single("SELECT (ARRAY[1])[1]").Functions, Is.Empty);
    }

    [Test]
    public void Sql_passed_as_a_literal_to_sql_running_functions_is_analysed()
    {
        var command = Analyze("SELECT query_to_xml('DELETE FROM t RETURNING 1', true, true, ''), ts_rewrite('a'::tsquery, 'SELECT pg_ls_dir(''.'')')");

        Assert.That(command.ParseError, Is.False, command.ParseErrorMessage);
        Assert.That(command.Statements.Select(s => (s.Kind, s.Nested)), Is.EqualTo(new[]
        {
            (StatementKinds.Select, false),
            (StatementKinds.Delete, true),
        }));
        Assert.That(command.Statements[0].Functions, Is.EquivalentTo(new[] { "query_to_xml", "ts_rewrite", "pg_ls_dir" }));
    }

    [TestCase("SELECT query_to_xml($1, true, true, '')")]
    [TestCase("SELECT query_to_xml('SELECT ' || 'pg_read_file(''x'')', true, true, '')")]
    [TestCase("SELECT * FROM ts_stat(current_setting('x'))")]
    [TestCase("SELECT query_to_xml('SELEC 1', true, true, '')")]
    [TestCase("SELECT * FROM crosstab('SELECT 1', $1)")]
    public void Sql_running_functions_with_unknowable_sql_are_refused(string sql)
    {
        Assert.That(Analyze(sql).ParseError, Is.True);
    }

    [TestCase("SELECT ts_rewrite('a'::tsquery, 'a'::tsquery, 'b'::tsquery)")]
    [TestCase("SELECT * FROM crosstab('SELECT 1', 3)")]
    [TestCase("SELECT query_to_xml(query => 'SELECT 1', nulls => true, tableforest => false, targetns => '')")]
    public void Sql_running_functions_without_sql_or_with_literal_sql_are_analysed(string sql)
    {
        var command = Analyze(sql);

        Assert.That(command.ParseError, Is.False, command.ParseErrorMessage);
    }

    [Test]
    public void Literal_sql_nested_in_literal_sql_is_followed_to_a_limit()
    {
        static string Wrap(string sql) => "SELECT query_to_xml('" + sql.Replace("'", "''", StringComparison.Ordinal) + "', true, true, '')";
        var three = Wrap(Wrap(Wrap("SELECT pg_read_file('x')")));
        var six = Wrap(Wrap(Wrap(Wrap(Wrap(Wrap("SELECT 1"))))));

        Assert.That(Analyze(three).Statements.SelectMany(s => s.Functions), Does.Contain("pg_read_file"));
        Assert.That(Analyze(six).ParseError, Is.True);
    }

    [Test]
    public void Multi_statement_text_reports_each_statement_in_order()
    {
        Assert.That(Kinds("BEGIN; SELECT 1; UPDATE t SET a = 1 WHERE id = 2; COMMIT"), Is.EqualTo(new[] { "transaction", "select", "update", "transaction" }));
    }

    [Test]
    public void Analysis_is_safe_from_many_threads()
    {
        var analyzer = new SqlAnalyzer(new SqlAnalyzerOptions { CacheEntries = 8 });
        var failures = 0;
        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var sql = $"SELECT f{i % 50}(x) FROM t{i % 7} WHERE id = {i}";
            var statement = analyzer.Analyze(sql, CommandOrigin.Query).Statements.Single();
            if (statement.Functions.Single() != $"f{i % 50}" || statement.Tables.Single() != $"t{i % 7}")
                Interlocked.Increment(ref failures);
        });

        Assert.That(failures, Is.Zero);
    }
}
