using System.Collections.Immutable;

namespace Gateway.Core.Policy;

/// <summary>
/// One statement a protocol's analyser found in a command, top-level or nested (a data-modifying CTE,
/// the target of <c>EXPLAIN ANALYZE</c>, the body of <c>PREPARE</c>). Protocol-neutral: the rule engine
/// matches on these facts and never on raw text.
/// </summary>
public sealed record StatementInfo
{
    /// <summary>A name from <see cref="StatementKinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>Relations the statement reads or writes, schema-qualified when the text qualified them.</summary>
    public ImmutableArray<string> Tables { get; init; } = [];

    /// <summary>Functions called anywhere in the statement (lower-case, schema-qualified when written so).</summary>
    public ImmutableArray<string> Functions { get; init; } = [];

    /// <summary>For UPDATE and DELETE: whether a WHERE clause is present; null for other kinds.</summary>
    public bool? HasWhere { get; init; }

    /// <summary>True when this statement itself writes data or schema.</summary>
    public bool ModifiesData { get; init; }

    /// <summary>True when found inside another statement rather than at the top level.</summary>
    public bool Nested { get; init; }

    /// <summary>For SET-like statements: the parameter name (e.g. <c>role</c>, <c>search_path</c>).</summary>
    public string? Setting { get; init; }

    /// <summary>
    /// The name the statement acts on by reference: the prepared statement of PREPARE, EXECUTE and DEALLOCATE
    /// (null for DEALLOCATE ALL), the cursor of DECLARE, FETCH, MOVE and CLOSE, the channel of LISTEN, NOTIFY and
    /// UNLISTEN, what DISCARD discards (<c>all</c>, <c>plans</c>, <c>sequences</c>, <c>temp</c>). A protocol layer uses
    /// it to make EXECUTE inherit its PREPARE's decision and to follow the session's prepared statements.
    /// </summary>
    public string? Name { get; init; }
}
