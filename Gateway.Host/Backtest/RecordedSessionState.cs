using System.Collections.Immutable;
using Gateway.Core.FrameLog;
using Gateway.Core.Identity;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Session;

namespace Gateway.Host.Backtest;

/// <summary>
/// What the backtest keeps of one recorded session while it walks the log: the session's facts, rebuilt once from
/// the identity columns the records carry (rules match on subject, groups, kind, listener, protocol, database —
/// never on token details), and the statements it prepared with SQL PREPARE under the new rules.
/// </summary>
internal sealed class RecordedSessionState
{
    private RecordedSessionState(SessionFacts facts) => Facts = facts;

    /// <summary>One instance per session: the rule engine caches its per-session rule table on it.</summary>
    public SessionFacts Facts { get; }

    public SqlPreparedCommands Prepared { get; } = new();

    /// <summary>Null when the record carries no subject (a command is only recorded after authentication).</summary>
    public static RecordedSessionState? TryCreate(FrameRecord record)
    {
        if (string.IsNullOrEmpty(record.Subject))
            return null;
        var principal = new Principal
        {
            Subject = record.Subject,
            Kind = record.IdentityKind == "human" ? IdentityKind.Human : IdentityKind.Agent,
            Groups = record.Groups is { } groups ? [.. groups] : ImmutableArray<string>.Empty,
            // Not recorded on command records and never matched by rules; stated so nobody mistakes it for a token's.
            Issuer = "frame-log",
            ExpiresAt = DateTimeOffset.MaxValue,
        };
        return new RecordedSessionState(new SessionFacts(principal, record.Listener ?? "", record.Protocol ?? "", record.Database));
    }
}
