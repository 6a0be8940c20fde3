using System.Collections.Frozen;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// Functions that execute SQL handed to them as text. The text is a second command hidden in a string literal,
/// so the analyser parses it as nested statements; when the argument is not a literal (an expression, a
/// parameter) it cannot be known before execution and the command is refused.
/// </summary>
internal static class DynamicSqlFunctions
{
    /// <summary>Where a function takes its SQL: argument positions, the parameter name, and an argument-count condition.</summary>
    internal sealed record SqlArguments(int[] Positions, string? ParameterName, int? OnlyWithArgumentCount = null);

    private static readonly FrozenDictionary<string, SqlArguments> Known = new Dictionary<string, SqlArguments>(StringComparer.Ordinal)
    {
        // pg_catalog: XML export of a query's result.
        ["query_to_xml"] = new([0], "query"),
        ["query_to_xmlschema"] = new([0], "query"),
        ["query_to_xml_and_xmlschema"] = new([0], "query"),
        // pg_catalog: text search statistics and rewriting driven by a query.
        ["ts_stat"] = new([0], "query"),
        ["ts_rewrite"] = new([1], null, OnlyWithArgumentCount: 2),
        // tablefunc extension: crosstab(source_sql [, category_sql]).
        ["crosstab"] = new([0, 1], null),
        ["crosstab2"] = new([0], null),
        ["crosstab3"] = new([0], null),
        ["crosstab4"] = new([0], null),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The SQL-argument description for a (lower-case, unqualified) function name, if it runs SQL text.</summary>
    public static SqlArguments? Find(string functionName) => Known.GetValueOrDefault(functionName);
}
