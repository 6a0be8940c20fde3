namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// The server reported a lexer setting the analysis does not assume (<see cref="LexerSettings"/>) after startup:
/// the session cannot be analysed any more and ends. The message says which setting and value.
/// </summary>
internal sealed class LexerSettingsChangedException(string message) : Exception(message);
