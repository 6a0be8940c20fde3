using System.Text.Json;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>Function calls: names, SQL-running functions whose literal SQL is analysed, set_config.</summary>
internal sealed partial class ParseTreeWalker
{
    private void LeaveFunctionCall(ref Frame frame, ReadOnlyMemory<byte> body)
    {
        if (frame.Names is not { Count: > 0 } names)
            throw new AnalysisRefusedException("a function call without a readable name");

        var bare = AddFunction(names, frame.Statement!);
        if (DynamicSqlFunctions.Find(bare) is { } sqlArguments)
        {
            ReadConstants = true;
            using var document = JsonDocument.Parse(body, DocumentOptions);
            VisitDynamicSql(bare, sqlArguments, document.RootElement, frame.Statement!);
        }
        else if (bare == "set_config")
        {
            ReadConstants = true;
            using var document = JsonDocument.Parse(body, DocumentOptions);
            CheckSetConfig(document.RootElement);
        }
    }

    /// <summary>
    /// <c>set_config(name, value, is_local)</c> is SET by another name: it must not change the lexer settings
    /// (<see cref="LexerSettings"/>), and a computed setting name could be any of them.
    /// </summary>
    private static void CheckSetConfig(JsonElement body)
    {
        if (!body.TryGetProperty("args"u8, out var args) || args.ValueKind != JsonValueKind.Array || args.GetArrayLength() < 2)
            return;
        if (TreeJson.TryUnwrap(args[0], out var first) && first.NameEquals("NamedArgExpr"u8))
            throw new AnalysisRefusedException("set_config called with named arguments cannot be analysed");
        var setting = TreeJson.GetConstantText(args[0])?.Trim().ToLowerInvariant()
            ?? throw new AnalysisRefusedException("set_config with a computed setting name cannot be analysed");
        if (LexerSettings.Governs(setting))
            LexerSettings.EnsureSafe(setting, TreeJson.GetConstantText(args[1]));
    }

    /// <summary>
    /// Adds a function name lower-cased, qualified as written, and its bare name too when qualified, so a rule
    /// naming <c>pg_read_file</c> also matches <c>pg_catalog.pg_read_file(...)</c>. Returns the bare name.
    /// </summary>
    private static string AddFunction(List<string> names, StatementBuilder statement)
    {
        for (var i = 0; i < names.Count; i++)
            names[i] = names[i].ToLowerInvariant();
        var bare = names[^1];
        if (names.Count > 1)
            statement.AddFunction(string.Join('.', names));
        statement.AddFunction(bare);
        return bare;
    }

    private void VisitDynamicSql(string function, DynamicSqlFunctions.SqlArguments sqlArguments, JsonElement body, StatementBuilder statement)
    {
        if (!body.TryGetProperty("args"u8, out var args) || args.ValueKind != JsonValueKind.Array)
            return;
        if (sqlArguments.OnlyWithArgumentCount is { } argumentCount && args.GetArrayLength() != argumentCount)
            return;

        var position = 0;
        foreach (var arg in args.EnumerateArray())
        {
            var value = arg;
            bool holdsSql;
            if (TreeJson.TryUnwrap(arg, out var node) && node.NameEquals("NamedArgExpr"u8))
            {
                if (sqlArguments.ParameterName is null)
                    throw new AnalysisRefusedException($"{function} called with named arguments cannot be analysed");
                holdsSql = string.Equals(TreeJson.GetString(node.Value, "name"u8), sqlArguments.ParameterName, StringComparison.OrdinalIgnoreCase);
                node.Value.TryGetProperty("arg"u8, out value);
            }
            else
            {
                holdsSql = Array.IndexOf(sqlArguments.Positions, position) >= 0;
            }
            position++;
            if (!holdsSql)
                continue;

            var sql = TreeJson.GetStringLiteral(value);
            if (sql is null)
            {
                if (TreeJson.IsNonStringLiteral(value))
                    continue;
                throw new AnalysisRefusedException(
                    $"{function} runs SQL given as an expression rather than a literal; it cannot be analysed before it runs");
            }
            VisitNestedSql(function, sql, statement);
        }
    }

    private void VisitNestedSql(string function, string sql, StatementBuilder statement)
    {
        if (nestedSqlDepth >= MaxNestedSqlDepth)
            throw new AnalysisRefusedException($"SQL nested in {function} arguments is nested too deeply to analyse");
        if (!PgQueryParser.TryParse(sql, maxTextBytes, out var tree, out var error))
            throw new AnalysisRefusedException($"the SQL passed to {function} does not parse: {error}");

        // A separate frame stack: this runs while the outer walk holds references into its own.
        using (tree)
        using (var nested = new ParseTreeWalker(maxTextBytes, statements, nestedSqlDepth + 1))
            nested.Walk(tree.Json, statement);
    }
}
