using System.Collections.Immutable;
using Gateway.Core.Policy;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// What the analyser found in one SQL text, independent of how the text arrived; cached by text, and by shape
/// when it read no constant's value.
/// </summary>
/// <param name="HoldsForShape">
/// Every text of this one's <see cref="SqlShape"/> has this analysis (<see cref="ParseTreeWalker.HoldsForShape"/>), so
/// the shape cache may serve it to them; never true of a failure.
/// </param>
internal sealed record SqlAnalysis(ImmutableArray<StatementInfo> Statements, string? ErrorMessage, bool HoldsForShape = false)
{
    public bool ParseError => ErrorMessage is not null;

    public static SqlAnalysis Failed(string message) => new([], message);

    /// <summary>The same statements with the same facts (what the rules match on), in the same order; not the same failure.</summary>
    public bool SameFacts(SqlAnalysis other) => !ParseError && !other.ParseError && SameFacts(Statements, other.Statements);

    /// <summary>The same statements with the same facts, in the same order.</summary>
    public static bool SameFacts(ImmutableArray<StatementInfo> first, ImmutableArray<StatementInfo> second)
    {
        if (first.Length != second.Length)
            return false;
        for (var i = 0; i < first.Length; i++)
        {
            var (a, b) = (first[i], second[i]);
            if (a.Kind != b.Kind || a.Nested != b.Nested || a.ModifiesData != b.ModifiesData || a.HasWhere != b.HasWhere
                || a.Setting != b.Setting || a.Name != b.Name
                || !a.Tables.SequenceEqual(b.Tables) || !a.Functions.SequenceEqual(b.Functions))
                return false;
        }
        return true;
    }
}
