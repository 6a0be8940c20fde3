namespace Gateway.Protocols.Postgres.Protocol;

/// <summary>
/// Why a PostgreSQL frame or message was rejected. Every value maps to SQLSTATE 08P01 (protocol_violation)
/// through <see cref="PgProtocolException.Describe"/>; the enum keeps rejection reasons countable and testable.
/// </summary>
public enum PgProtocolViolation
{
    /// <summary>A typed message declared a length below 4 (negative when read as int32 included).</summary>
    MessageLengthInvalid,

    /// <summary>A message declared a length above the configured cap.</summary>
    MessageTooLarge,

    /// <summary>A startup-phase packet declared a length below 8.</summary>
    StartupLengthInvalid,

    /// <summary>A startup-phase packet declared a length above 10000 (PostgreSQL's own limit).</summary>
    StartupTooLarge,

    /// <summary>An SSLRequest or GSSENCRequest whose length is not exactly 8.</summary>
    SslRequestLengthInvalid,

    /// <summary>A CancelRequest whose length is not exactly 16.</summary>
    CancelRequestLengthInvalid,

    /// <summary>A startup packet whose request code is neither protocol 3.x nor a known special request.</summary>
    UnsupportedProtocolVersion,

    /// <summary>A message type byte this side does not understand.</summary>
    UnknownMessageType,

    /// <summary>A well-formed message that is not allowed in the current protocol state.</summary>
    UnexpectedMessage,

    /// <summary>A field needed more bytes than the message had left.</summary>
    Truncated,

    /// <summary>Bytes remained after the last field of a message.</summary>
    TrailingBytes,

    /// <summary>A string field had no NUL terminator inside the message.</summary>
    MissingTerminator,

    /// <summary>A string field was longer than its cap.</summary>
    StringTooLong,

    /// <summary>A string field was not valid UTF-8.</summary>
    InvalidUtf8,

    /// <summary>A count field was negative or above its cap.</summary>
    InvalidCount,

    /// <summary>Two count fields disagree (e.g. Bind format codes vs. parameters).</summary>
    CountMismatch,

    /// <summary>A format code other than 0 (text) or 1 (binary).</summary>
    InvalidFormatCode,

    /// <summary>A value length below -1.</summary>
    InvalidValueLength,

    /// <summary>A startup parameter named twice.</summary>
    DuplicateParameter,

    /// <summary>A field with a value outside its allowed set (e.g. ReadyForQuery status, Describe target).</summary>
    InvalidFieldValue,

    /// <summary>An authentication request code this client does not know.</summary>
    UnknownAuthenticationRequest,
}
