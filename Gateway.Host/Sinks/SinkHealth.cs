namespace Gateway.Host.Sinks;

public enum SinkState
{
    /// <summary>Not started yet, or started and nothing sent so far.</summary>
    Starting,

    /// <summary>The last call was accepted, or there was nothing to send.</summary>
    Healthy,

    /// <summary>Transient failures (408, 429, 5xx, network, token acquisition): retrying with backoff.</summary>
    Retrying,

    /// <summary>
    /// The service rejected a call in a way a retry cannot fix (400, 401, 403, 404, 413). Nothing is skipped:
    /// the cursor stays, the spool grows, and the sink waits for <see cref="ISink.Resume"/> or a restart.
    /// </summary>
    Halted,

    Stopped,
}

/// <summary>A sink's state for <c>/healthz</c>; <see cref="Detail"/> never contains a token.</summary>
public sealed record SinkHealth(SinkState State, string Detail, DateTimeOffset? LastShipped = null, int? LastStatus = null)
{
    public bool IsHealthy => State is SinkState.Starting or SinkState.Healthy;
}
