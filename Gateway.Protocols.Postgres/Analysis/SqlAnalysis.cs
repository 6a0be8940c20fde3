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
}
