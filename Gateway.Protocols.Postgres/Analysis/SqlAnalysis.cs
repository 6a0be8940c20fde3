using System.Collections.Immutable;
using Gateway.Core.Policy;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>What the analyser found in one SQL text, independent of how the text arrived; cached by text.</summary>
internal sealed record SqlAnalysis(ImmutableArray<StatementInfo> Statements, string? ErrorMessage)
{
    public bool ParseError => ErrorMessage is not null;

    public static SqlAnalysis Failed(string message) => new([], message);
}
