using System.Collections.Immutable;
using Gateway.Core.Policy;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// What the analyser found in one SQL text, independent of how the text arrived; cached by text, and by shape
/// when it read no constant's value.
/// </summary>
/// <param name="SharesShape">
/// Every text of this one's <see cref="SqlShape"/> has this analysis (<see cref="ParseTreeWalker.HoldsForShape"/>).
/// </param>
internal sealed record SqlAnalysis(ImmutableArray<StatementInfo> Statements, string? ErrorMessage, bool SharesShape = false)
{
    public bool ParseError => ErrorMessage is not null;

    /// <summary>Whether the shape cache may serve this analysis to other texts (failures are never shared).</summary>
    public bool HoldsForShape => !ParseError && SharesShape;

    public static SqlAnalysis Failed(string message) => new([], message);
}
