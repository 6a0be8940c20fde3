using Gateway.Core.FrameLog;

namespace Gateway.Host.Replay;

/// <summary>
/// Folds a session's records into a <see cref="SessionSummary"/>: identity from <c>session_start</c> (or the
/// first record carrying it), commands counted from <c>command</c> records, denials from <c>decision</c>
/// records whose Decision is <c>deny</c>, the end from <c>session_end</c>. Any session source can use it.
/// </summary>
public sealed class SessionSummaryBuilder(string sessionId)
{
    private string? _subject, _identityKind, _protocol, _listener, _target, _database, _sourceIp, _endReason;
    private DateTimeOffset? _start, _end;
    private DateTimeOffset _last;
    private int _commands, _denials;

    public string SessionId { get; } = sessionId;

    public void Add(FrameRecord record)
    {
        _start ??= record.TimeGenerated;
        if (record.TimeGenerated > _last)
            _last = record.TimeGenerated;
        _subject ??= record.Subject;
        _identityKind ??= record.IdentityKind;
        _protocol ??= record.Protocol;
        _listener ??= record.Listener;
        _target ??= record.Target;
        _database ??= record.Database;
        _sourceIp ??= record.SourceIp;
        switch (record.Kind)
        {
            case FrameKinds.Command:
                _commands++;
                break;
            case FrameKinds.Decision when record.Decision == "deny":
                _denials++;
                break;
            case FrameKinds.SessionEnd:
                _end = record.TimeGenerated;
                _endReason = record.Payload?["reason"]?.ToString();
                break;
        }
    }

    public SessionSummary Build() => new()
    {
        SessionId = SessionId,
        Subject = _subject,
        IdentityKind = _identityKind,
        Protocol = _protocol,
        Listener = _listener,
        Target = _target,
        Database = _database,
        SourceIp = _sourceIp,
        Start = _start ?? default,
        End = _end,
        LastActivity = _last,
        Commands = _commands,
        Denials = _denials,
        EndReason = _endReason,
    };
}
