using System.Collections.Immutable;
using Gateway.Core.Policy;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// The facts of one statement while its subtree is walked; frozen into <see cref="StatementInfo"/> at the end.
/// </summary>
internal sealed class StatementBuilder(bool nested)
{
    // Small statements name a handful of objects: a list with a linear scan is cheapest. A hostile text naming
    // thousands of distinct objects switches to a set so deduplication stays linear.
    private const int SetThreshold = 16;

    private readonly List<string> tables = [];
    private readonly List<string> functions = [];
    private HashSet<string>? tableSet;
    private HashSet<string>? functionSet;

    public bool Nested { get; } = nested;

    public string Kind { get; set; } = StatementKinds.Other;

    public bool ModifiesData { get; set; } = true;

    public bool? HasWhere { get; set; }

    public string? Setting { get; set; }

    public string? Name { get; set; }

    /// <summary>A query (SELECT, INSERT, ...): sub-selects inside it belong to it rather than standing alone.</summary>
    public bool IsQuery { get; set; }

    /// <summary>
    /// A second kind the same statement also is, reported as its own <see cref="StatementInfo"/> right after this
    /// one (<c>COPY ... TO PROGRAM</c> is both <c>copy_to</c> and <c>copy_program</c>).
    /// </summary>
    public string? CompanionKind { get; set; }

    public bool CompanionNested { get; set; }

    /// <summary>UPDATE/DELETE: a WHERE clause is present.</summary>
    public bool SawWhere { get; set; }

    /// <summary>UPDATE/DELETE: the WHERE clause names a column or a cursor position (otherwise it filters nothing).</summary>
    public bool WhereNamesColumn { get; set; }

    /// <summary>SELECT ... INTO: the query creates a table.</summary>
    public bool SelectsInto { get; set; }

    /// <summary>The relations named so far, in order of appearance.</summary>
    public IReadOnlyList<string> Tables => tables;

    public void AddTable(string name) => AddDistinct(tables, ref tableSet, name);

    public void AddFunction(string name) => AddDistinct(functions, ref functionSet, name);

    public void AppendTo(ImmutableArray<StatementInfo>.Builder output)
    {
        var info = new StatementInfo
        {
            Kind = Kind,
            Tables = [.. tables],
            Functions = [.. functions],
            HasWhere = HasWhere,
            ModifiesData = ModifiesData,
            Nested = Nested,
            Setting = Setting,
            Name = Name,
        };
        output.Add(info);
        if (CompanionKind is not null)
            output.Add(info with { Kind = CompanionKind, Nested = CompanionNested, ModifiesData = true, HasWhere = null });
    }

    private static void AddDistinct(List<string> list, ref HashSet<string>? set, string name)
    {
        if (set is not null)
        {
            if (set.Add(name))
                list.Add(name);
            return;
        }
        if (list.Contains(name))
            return;
        list.Add(name);
        if (list.Count > SetThreshold)
            set = new HashSet<string>(list, StringComparer.Ordinal);
    }
}
