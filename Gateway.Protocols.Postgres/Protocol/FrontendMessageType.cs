namespace Gateway.Protocols.Postgres.Protocol;

/// <summary>
/// Type bytes of messages a client sends after startup. Values are the wire bytes.
/// Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html
/// </summary>
public enum FrontendMessageType : byte
{
    Bind = (byte)'B',
    Close = (byte)'C',
    CopyData = (byte)'d',
    CopyDone = (byte)'c',
    CopyFail = (byte)'f',
    Describe = (byte)'D',
    Execute = (byte)'E',
    Flush = (byte)'H',
    FunctionCall = (byte)'F',
    Parse = (byte)'P',

    /// <summary>PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse share this byte; the auth state decides.</summary>
    Password = (byte)'p',

    Query = (byte)'Q',
    Sync = (byte)'S',
    Terminate = (byte)'X',
}
