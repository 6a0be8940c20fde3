namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// Thrown inside the walker when a text parses but cannot be analysed with certainty (dynamic SQL in a
/// function argument, nesting beyond the stack budget). Caught by <see cref="SqlAnalyzer"/> and reported as a
/// parse error, so the command is denied.
/// </summary>
internal sealed class AnalysisRefusedException(string message) : Exception(message);
