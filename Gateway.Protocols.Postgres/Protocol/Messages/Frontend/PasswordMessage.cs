using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>
/// PasswordMessage ('p' in answer to AuthenticationCleartextPassword or MD5Password): one string.
/// The gateway receives the caller's token here. Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html
/// </summary>
public readonly struct PasswordMessage
{
    public PasswordMessage(string password) => Password = password;

    public string Password { get; }

    public static PasswordMessage Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(PasswordMessage));
        var password = reader.ReadCString();
        reader.EnsureEnd();
        return new PasswordMessage(password);
    }

    public override string ToString() => "PasswordMessage(***)";
}

/// <summary>
/// SASLInitialResponse ('p' in answer to AuthenticationSASL): mechanism name, then an int32-prefixed
/// initial response (-1 = none).
/// </summary>
public readonly struct SaslInitialResponse
{
    public SaslInitialResponse(string mechanism, PgValue data)
    {
        Mechanism = mechanism;
        Data = data;
    }

    public string Mechanism { get; }

    /// <summary>The client-first message; <see cref="PgValue.IsNull"/> when the client sent none.</summary>
    public PgValue Data { get; }

    public static SaslInitialResponse Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(SaslInitialResponse));
        var mechanism = reader.ReadCString(maxBytes: 64);
        var data = reader.ReadValue();
        reader.EnsureEnd();
        return new SaslInitialResponse(mechanism, data);
    }

    public override string ToString() => $"SASLInitialResponse({Mechanism})";
}

/// <summary>SASLResponse ('p' in answer to AuthenticationSASLContinue): the rest of the body is mechanism data.</summary>
public readonly struct SaslResponse
{
    public SaslResponse(ReadOnlySequence<byte> data) => Data = data;

    public ReadOnlySequence<byte> Data { get; }

    public static SaslResponse Decode(ReadOnlySequence<byte> payload) => new(payload);

    public override string ToString() => "SASLResponse";
}
