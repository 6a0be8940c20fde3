using Gateway.Core.FrameLog;

namespace Gateway.Host.Replay;

/// <summary>
/// Where recorded sessions come from: the local frame log (<see cref="LocalSessionSource"/>) or a copy
/// elsewhere (Azure Monitor). The player and the list only see this interface.
/// </summary>
public interface ISessionSource
{
    /// <summary>Sessions matching <paramref name="query"/>, oldest first.</summary>
    IAsyncEnumerable<SessionSummary> ListAsync(SessionQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// The records of one session in Seq order, found by exact id or by a unique id prefix; null when
    /// nothing matches.
    /// </summary>
    /// <exception cref="AmbiguousSessionException">The prefix matches more than one session.</exception>
    Task<SessionRecording?> LoadAsync(string sessionIdOrPrefix, CancellationToken cancellationToken);
}

/// <summary>Filters for <see cref="ISessionSource.ListAsync"/>.</summary>
public sealed record SessionQuery
{
    /// <summary>Only sessions of this subject (exact match).</summary>
    public string? Subject { get; init; }

    /// <summary>Only sessions with activity at or after this time.</summary>
    public DateTimeOffset? ActiveSince { get; init; }
}

/// <summary>One session as the list shows it, aggregated from its records.</summary>
public sealed record SessionSummary
{
    public required string SessionId { get; init; }
    public string? Subject { get; init; }
    public string? IdentityKind { get; init; }
    public string? Protocol { get; init; }
    public string? Listener { get; init; }
    public string? Target { get; init; }
    public string? Database { get; init; }
    public string? SourceIp { get; init; }
    public required DateTimeOffset Start { get; init; }

    /// <summary>When the session_end record was written; null while open (or when the gateway died).</summary>
    public DateTimeOffset? End { get; init; }

    public DateTimeOffset LastActivity { get; init; }
    public int Commands { get; init; }
    public int Denials { get; init; }
    public string? EndReason { get; init; }
}

/// <summary>A session's summary and its records in Seq order.</summary>
public sealed record SessionRecording(SessionSummary Summary, IReadOnlyList<FrameRecord> Records)
{
    /// <summary>What the source knows to be missing or doubtful (e.g. Seq gaps in a copy); printed to stderr.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

public sealed class AmbiguousSessionException(string prefix, IReadOnlyList<string> matches)
    : Exception($"'{prefix}' matches {matches.Count} sessions: {string.Join(", ", matches.Take(5))}{(matches.Count > 5 ? ", ..." : "")}")
{
    public IReadOnlyList<string> Matches { get; } = matches;
}
