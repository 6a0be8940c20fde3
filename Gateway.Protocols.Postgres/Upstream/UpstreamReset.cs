using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Protocol.Messages;

namespace Gateway.Protocols.Postgres.Upstream;

/// <summary>
/// The server's answer to the <c>DISCARD ALL</c> a session is reset with before another client gets it:
/// CommandComplete <c>DISCARD ALL</c>, then ReadyForQuery idle. ParameterStatus messages on the way (settings
/// going back to their session defaults) are kept for the next client's startup; notices, and notifications
/// still addressed to the previous client, are dropped. Anything else — an error, a transaction still open,
/// an unexpected message — means the session is not provably clean, and it is closed instead.
/// </summary>
internal sealed class UpstreamReset
{
    public const string Query = "DISCARD ALL";

    private bool _discarded;

    public Dictionary<string, string> Parameters { get; } = new(StringComparer.Ordinal);

    /// <summary>Handles one server message. True once the reset is complete; false while more is to come.</summary>
    /// <exception cref="UpstreamResetException">The session cannot be reset cleanly.</exception>
    public bool Process(in PgFrame frame)
    {
        switch (frame.Backend)
        {
            case BackendMessageType.ParameterStatus:
                var parameter = ParameterStatus.Decode(frame.Payload);
                Parameters[parameter.Name] = parameter.Value;
                return false;
            case BackendMessageType.NoticeResponse:
                NoticeResponse.Decode(frame.Payload);
                return false;
            case BackendMessageType.NotificationResponse:
                NotificationResponse.Decode(frame.Payload);
                return false;
            case BackendMessageType.CommandComplete when !_discarded:
                var tag = CommandComplete.Decode(frame.Payload).Tag;
                _discarded = tag == Query ? true : throw new UpstreamResetException($"the server answered the reset with {tag}");
                return false;
            case BackendMessageType.ErrorResponse:
                throw new UpstreamResetException($"the server refused the reset: {ErrorResponse.Decode(frame.Payload).Fields.Message}");
            case BackendMessageType.ReadyForQuery when _discarded:
                var status = ReadyForQuery.Decode(frame.Payload).Status;
                return status == TransactionStatus.Idle ? true : throw new UpstreamResetException($"the session is not idle after the reset ({status})");
            default:
                throw new UpstreamResetException($"the server sent {PgMessageReader.TypeText(frame.Type)} during the reset");
        }
    }
}

/// <summary>A pooled session could not be reset; it is closed, never reused.</summary>
internal sealed class UpstreamResetException(string message) : Exception(message);
