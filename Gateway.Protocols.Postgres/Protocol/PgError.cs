namespace Gateway.Protocols.Postgres.Protocol;

/// <summary>Error and notice severities. The wire text (<see cref="PgSeverityText"/>) is the same in S and V: the gateway does not localize.</summary>
public enum PgSeverity
{
    Error,
    Fatal,
    Panic,
    Warning,
    Notice,
    Debug,
    Info,
    Log,
}

public static class PgSeverityText
{
    public static string Of(PgSeverity severity) => severity switch
    {
        PgSeverity.Error => "ERROR",
        PgSeverity.Fatal => "FATAL",
        PgSeverity.Panic => "PANIC",
        PgSeverity.Warning => "WARNING",
        PgSeverity.Notice => "NOTICE",
        PgSeverity.Debug => "DEBUG",
        PgSeverity.Info => "INFO",
        PgSeverity.Log => "LOG",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, null),
    };
}

/// <summary>
/// An error or notice the gateway speaks itself (denials, protocol violations, upstream failures), written by
/// <see cref="PgBackendWriter.WriteErrorResponse"/>. Build with an initializer:
/// <c>new PgError(PgSeverity.Error, "42501", "denied by rule x") { Detail = "...", Hint = "..." }</c>.
/// </summary>
public sealed record PgError
{
    public PgError(PgSeverity severity, string sqlState, string message)
    {
        if (sqlState.Length != 5 || !sqlState.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c)))
            throw new ArgumentException($"'{sqlState}' is not a SQLSTATE (5 characters, 0-9 A-Z)", nameof(sqlState));
        Severity = severity;
        SqlState = sqlState;
        Message = message;
    }

    public PgSeverity Severity { get; }

    public string SqlState { get; }

    public string Message { get; }

    public string? Detail { get; init; }

    public string? Hint { get; init; }

    /// <summary>1-based character position in the query text the error refers to.</summary>
    public int? Position { get; init; }

    public string? Where { get; init; }
}
