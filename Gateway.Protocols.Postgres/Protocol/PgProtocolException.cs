using System.Diagnostics.CodeAnalysis;

namespace Gateway.Protocols.Postgres.Protocol;

/// <summary>
/// A malformed or out-of-place PostgreSQL message. The connection that produced it has lost protocol sync and
/// must not be reused; the peer is told <see cref="SqlState"/> (08P01, protocol_violation).
/// </summary>
public sealed class PgProtocolException : Exception
{
    /// <summary>SQLSTATE protocol_violation: the code PostgreSQL itself uses for every reason below.</summary>
    public const string ProtocolViolationSqlState = "08P01";

    public PgProtocolException(PgProtocolViolation violation, string detail)
        : base($"{Describe(violation)}: {detail}")
    {
        Violation = violation;
        Detail = detail;
    }

    public PgProtocolViolation Violation { get; }

    /// <summary>The specific facts (message name, expected vs. actual), without the generic description.</summary>
    public string Detail { get; }

    public string SqlState => ProtocolViolationSqlState;

    /// <summary>The error a PostgreSQL peer should see for this violation (FATAL: the connection ends).</summary>
    public PgError ToError() => new(PgSeverity.Fatal, SqlState, Message);

    [DoesNotReturn]
    public static void Throw(PgProtocolViolation violation, string detail) =>
        throw new PgProtocolException(violation, detail);

    /// <summary>The one place each reason becomes text.</summary>
    public static string Describe(PgProtocolViolation violation) => violation switch
    {
        PgProtocolViolation.MessageLengthInvalid => "invalid message length",
        PgProtocolViolation.MessageTooLarge => "message too large",
        PgProtocolViolation.StartupLengthInvalid => "invalid length of startup packet",
        PgProtocolViolation.StartupTooLarge => "startup packet too large",
        PgProtocolViolation.SslRequestLengthInvalid => "invalid length of encryption request packet",
        PgProtocolViolation.CancelRequestLengthInvalid => "invalid length of cancel request packet",
        PgProtocolViolation.UnsupportedProtocolVersion => "unsupported frontend protocol",
        PgProtocolViolation.UnknownMessageType => "invalid message type",
        PgProtocolViolation.UnexpectedMessage => "unexpected message",
        PgProtocolViolation.Truncated => "message truncated",
        PgProtocolViolation.TrailingBytes => "invalid message format (trailing bytes)",
        PgProtocolViolation.MissingTerminator => "invalid string in message (no terminator)",
        PgProtocolViolation.StringTooLong => "string in message too long",
        PgProtocolViolation.InvalidUtf8 => "invalid UTF-8 in message",
        PgProtocolViolation.InvalidCount => "invalid count in message",
        PgProtocolViolation.CountMismatch => "counts in message disagree",
        PgProtocolViolation.InvalidFormatCode => "unsupported format code",
        PgProtocolViolation.InvalidValueLength => "invalid value length in message",
        PgProtocolViolation.DuplicateParameter => "duplicate startup parameter",
        PgProtocolViolation.InvalidFieldValue => "invalid field value in message",
        PgProtocolViolation.UnknownAuthenticationRequest => "unknown authentication request",
        _ => "protocol violation",
    };
}
