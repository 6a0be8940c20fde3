namespace Gateway.Host.Azure;

public enum IngestionOutcome
{
    /// <summary>204: every record of the call is stored.</summary>
    Accepted,

    /// <summary>408, 429, 5xx, a network failure or a token that could not be obtained: send the same call again later.</summary>
    Retry,

    /// <summary>400, 401, 403, 404, 413 or another status a retry cannot fix: never re-sent automatically.</summary>
    Rejected,
}

/// <summary>The classified outcome of one Logs Ingestion call.</summary>
/// <param name="Status">HTTP status, or 0 when no response arrived.</param>
/// <param name="FailureKind">Metric label: the status code, <c>transport</c>, <c>timeout</c> or <c>credential</c>; null when accepted.</param>
/// <param name="Error">The service's error code and message (or the exception message), capped; never a token.</param>
public readonly record struct IngestionResult(IngestionOutcome Outcome, int Status, TimeSpan? RetryAfter, string? FailureKind, string? Error)
{
    public static IngestionResult Accepted(int status) => new(IngestionOutcome.Accepted, status, null, null, null);
}
