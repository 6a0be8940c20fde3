-- Benign statements: examples/rules/agents.yaml must let every entry through (no 42501 from the gateway;
-- the server may still answer with its own error, e.g. for a table that does not exist).
-- Format: entries separated by a line "-- ----". Each entry starts with "-- expect: allow" and
-- "-- name: <short-name>"; the rest is the SQL text, sent as one simple Query message.
-- ----
-- expect: allow
-- name: select-one
SELECT 1;
-- ----
-- expect: allow
-- name: now
SELECT now();
-- ----
-- expect: allow
-- name: current-user
SELECT current_user, session_user, current_database();
-- ----
-- expect: allow
-- name: version
SELECT version();
-- ----
-- expect: allow
-- name: catalog-lookup
SELECT * FROM pg_class WHERE relname = 'pg_class';
-- ----
-- expect: allow
-- name: qualified-catalog-order
SELECT relname FROM pg_catalog.pg_class ORDER BY relname LIMIT 5;
-- ----
-- expect: allow
-- name: count
SELECT count(*) FROM pg_namespace;
-- ----
-- expect: allow
-- name: join
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' LIMIT 10;
-- ----
-- expect: allow
-- name: generate-series
SELECT * FROM generate_series(1, 10) AS g;
-- ----
-- expect: allow
-- name: series-filter
SELECT x, x * 2 FROM generate_series(1, 3) AS t(x) WHERE x > 1;
-- ----
-- expect: allow
-- name: cte
WITH t AS (SELECT 1 AS a) SELECT a FROM t;
-- ----
-- expect: allow
-- name: recursive-cte
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT sum(n) FROM r;
-- ----
-- expect: allow
-- name: values
VALUES (1, 'a'), (2, 'b');
-- ----
-- expect: allow
-- name: function-name-in-literal
SELECT 'pg_read_file(''/etc/passwd'')' AS text_not_call;
-- ----
-- expect: allow
-- name: statements-in-literal
SELECT 'DROP TABLE accounts; DELETE FROM accounts' AS just_text;
-- ----
-- expect: allow
-- name: statement-in-dollar-quote
SELECT $$ DELETE FROM accounts; DROP TABLE accounts $$ AS just_text;
-- ----
-- expect: allow
-- name: escaped-quote-in-escape-string
SELECT E'\'; DROP TABLE accounts; --' AS s;
-- ----
-- expect: allow
-- name: commented-out-drop
-- DROP TABLE accounts;
SELECT 1;
-- ----
-- expect: allow
-- name: block-commented-delete
SELECT 1 /* DELETE FROM accounts */;
-- ----
-- expect: allow
-- name: column-named-like-function
SELECT "pg_read_file" FROM (SELECT 1 AS "pg_read_file") AS s;
-- ----
-- expect: allow
-- name: unquoted-column-named-like-function
SELECT pg_read_file FROM (SELECT 1 AS pg_read_file) AS s;
-- ----
-- expect: allow
-- name: alias-named-like-statement
SELECT 1 AS "DROP TABLE x";
-- ----
-- expect: allow
-- name: subquery-alias-named-like-statement
SELECT * FROM (SELECT 1) AS "delete from accounts";
-- ----
-- expect: allow
-- name: show-search-path
SHOW search_path;
-- ----
-- expect: allow
-- name: show-all
SHOW ALL;
-- ----
-- expect: allow
-- name: set-search-path
SET search_path TO public;
-- ----
-- expect: allow
-- name: set-statement-timeout
SET statement_timeout = '5s';
-- ----
-- expect: allow
-- name: set-application-name
SET application_name = 'agent';
-- ----
-- expect: allow
-- name: set-time-zone
SET TIME ZONE 'UTC';
-- ----
-- expect: allow
-- name: set-client-encoding-utf8
SET client_encoding TO 'UTF8';
-- ----
-- expect: allow
-- name: set-standard-conforming-strings-on
SET standard_conforming_strings = on;
-- ----
-- expect: allow
-- name: reset-setting
RESET statement_timeout;
-- ----
-- expect: allow
-- name: reset-all
RESET ALL;
-- ----
-- expect: allow
-- name: reset-role
RESET ROLE;
-- ----
-- expect: allow
-- name: transaction
BEGIN; SELECT 1; COMMIT;
-- ----
-- expect: allow
-- name: read-only-transaction
START TRANSACTION READ ONLY; SELECT 1; ROLLBACK;
-- ----
-- expect: allow
-- name: serializable-transaction
BEGIN ISOLATION LEVEL SERIALIZABLE; COMMIT;
-- ----
-- expect: allow
-- name: savepoints
BEGIN; SAVEPOINT a; ROLLBACK TO SAVEPOINT a; RELEASE a; COMMIT;
-- ----
-- expect: allow
-- name: set-local-in-transaction
BEGIN; SET LOCAL statement_timeout = 1000; SELECT 1; COMMIT;
-- ----
-- expect: allow
-- name: explain
EXPLAIN SELECT * FROM pg_class;
-- ----
-- expect: allow
-- name: explain-json
EXPLAIN (FORMAT JSON) SELECT 1;
-- ----
-- expect: allow
-- name: explain-analyze-select
EXPLAIN ANALYZE SELECT count(*) FROM pg_class;
-- ----
-- expect: allow
-- name: update-with-where
UPDATE accounts SET balance = balance + 1 WHERE id = 42;
-- ----
-- expect: allow
-- name: delete-with-where
DELETE FROM sessions WHERE expires_at < now();
-- ----
-- expect: allow
-- name: update-where-subquery
UPDATE accounts SET balance = 0 WHERE id IN (SELECT account_id FROM sessions WHERE expired);
-- ----
-- expect: allow
-- name: delete-where-array
DELETE FROM accounts WHERE id = ANY ('{1,2}'::int[]);
-- ----
-- expect: allow
-- name: insert
INSERT INTO audit_log (msg) VALUES ('hello');
-- ----
-- expect: allow
-- name: insert-on-conflict-nothing
INSERT INTO accounts (id) VALUES (1) ON CONFLICT (id) DO NOTHING;
-- ----
-- expect: allow
-- name: insert-on-conflict-update
INSERT INTO accounts (id, note) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET note = excluded.note;
-- ----
-- expect: allow
-- name: cte-delete-with-where
WITH moved AS (DELETE FROM queue WHERE id = 5 RETURNING *) INSERT INTO done SELECT * FROM moved;
-- ----
-- expect: allow
-- name: select-for-update
SELECT * FROM accounts WHERE id = 1 FOR UPDATE;
-- ----
-- expect: allow
-- name: select-for-share-skip-locked
SELECT id FROM queue ORDER BY id LIMIT 1 FOR SHARE SKIP LOCKED;
-- ----
-- expect: allow
-- name: listen-notify
LISTEN jobs; NOTIFY jobs, 'ready'; UNLISTEN *;
-- ----
-- expect: allow
-- name: prepare-execute-deallocate
PREPARE q AS SELECT $1::int + 1; EXECUTE q(1); DEALLOCATE q;
-- ----
-- expect: allow
-- name: deallocate-all
DEALLOCATE ALL;
-- ----
-- expect: allow
-- name: discard-all
DISCARD ALL;
-- ----
-- expect: allow
-- name: cursor
BEGIN; DECLARE c CURSOR FOR SELECT relname FROM pg_class; FETCH 10 FROM c; MOVE NEXT IN c; CLOSE c; COMMIT;
-- ----
-- expect: allow
-- name: string-functions
SELECT length('abc'), upper('x'), lower('Y'), coalesce(NULL, 1), format('%I', 'x'), quote_ident('pg_read_file');
-- ----
-- expect: allow
-- name: json
SELECT json_build_object('a', 1)::text;
-- ----
-- expect: allow
-- name: ordered-aggregate
SELECT array_agg(x ORDER BY x) FROM generate_series(1, 3) AS x;
-- ----
-- expect: allow
-- name: window-function
SELECT rank() OVER (ORDER BY x) FROM generate_series(1, 3) AS x;
-- ----
-- expect: allow
-- name: backend-pid
SELECT pg_backend_pid();
-- ----
-- expect: allow
-- name: sleep-zero
SELECT pg_sleep(0);
-- ----
-- expect: allow
-- name: current-setting
SELECT current_setting('search_path');
-- ----
-- expect: allow
-- name: database-size
SELECT pg_size_pretty(pg_database_size(current_database()));
-- ----
-- expect: allow
-- name: privilege-check
SELECT has_table_privilege('pg_class', 'select');
-- ----
-- expect: allow
-- name: catalog-search-for-function
SELECT proname FROM pg_proc WHERE proname = 'pg_read_file';
-- ----
-- expect: allow
-- name: query-to-xml-harmless-literal
SELECT query_to_xml('SELECT 1 AS a', true, true, '');
-- ----
-- expect: allow
-- name: subscript-indirection
SELECT (ARRAY[1, 2, 3])[2];
-- ----
-- expect: allow
-- name: composite-field-selection
SELECT (c).relname FROM pg_class AS c LIMIT 1;
-- ----
-- expect: allow
-- name: whole-row-star
SELECT t.* FROM pg_class AS t LIMIT 1;
-- ----
-- expect: allow
-- name: regclass-cast
SELECT c.relname FROM pg_class AS c WHERE c.oid = 'pg_class'::regclass;
-- ----
-- expect: allow
-- name: like
SELECT 1 WHERE 'a' LIKE 'a%';
-- ----
-- expect: allow
-- name: table-command
TABLE pg_namespace;
-- ----
-- expect: allow
-- name: tablesample
SELECT count(*) FROM pg_class TABLESAMPLE SYSTEM (10);
-- ----
-- expect: allow
-- name: stat-activity
SELECT pid, state, query FROM pg_stat_activity;
-- ----
-- expect: allow
-- name: copy-query-to-stdout
COPY (SELECT 1) TO STDOUT;
-- ----
-- expect: allow
-- name: copy-table-to-stdout
COPY pg_namespace TO STDOUT;
-- ----
-- expect: allow
-- name: only-semicolon
;
-- ----
-- expect: allow
-- name: only-comment
-- nothing to run
-- ----
-- expect: allow
-- name: lateral-harmless
SELECT * FROM pg_namespace n, LATERAL (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid) AS l;
-- ----
-- expect: allow
-- name: case-and-coalesce
SELECT CASE WHEN relkind = 'r' THEN 'table' ELSE coalesce(relkind::text, '?') END FROM pg_class LIMIT 3;
-- ----
-- expect: allow
-- name: dollar-quoted-literal-with-semicolons
SELECT $body$ ; ; DROP TABLE accounts; $body$ AS s;
-- ----
-- expect: allow
-- name: unicode-string-literal
SELECT U&'d\0061t\+000061' AS data;
-- ----
-- expect: allow
-- name: backslashes-that-read-alike
SELECT E'it\'s', 'C:\temp\x', 'don''t', $$a\'b$$, '\\';
-- ----
-- expect: allow
-- name: windows-path-replace
SELECT replace('C:\temp\x', '\', '/') AS path;
