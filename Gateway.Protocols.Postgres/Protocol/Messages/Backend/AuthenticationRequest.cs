using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>The int32 code that opens every Authentication ('R') message. Values are the wire codes.</summary>
public enum AuthenticationKind
{
    Ok = 0,
    KerberosV5 = 2,
    CleartextPassword = 3,
    Md5Password = 5,
    Gss = 7,
    GssContinue = 8,
    Sspi = 9,
    Sasl = 10,
    SaslContinue = 11,
    SaslFinal = 12,
}

/// <summary>
/// Authentication ('R'): the server's request or verdict in the auth exchange. Depending on
/// <see cref="Kind"/> it carries a 4-byte MD5 salt, a list of SASL mechanisms, or SASL/GSS data.
/// Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html (AuthenticationOk ... AuthenticationSASLFinal)
/// </summary>
public readonly struct AuthenticationRequest
{
    private const int MaxMechanisms = 16;
    private const int MaxMechanismNameBytes = 64;

    private AuthenticationRequest(AuthenticationKind kind, ReadOnlySequence<byte> data, IReadOnlyList<string> mechanisms)
    {
        Kind = kind;
        Data = data;
        SaslMechanisms = mechanisms;
    }

    public AuthenticationKind Kind { get; }

    /// <summary>The salt for <see cref="AuthenticationKind.Md5Password"/> (4 bytes), or SASL/GSS data; empty otherwise.</summary>
    public ReadOnlySequence<byte> Data { get; }

    /// <summary>Mechanisms offered by <see cref="AuthenticationKind.Sasl"/>, in the server's order; empty otherwise.</summary>
    public IReadOnlyList<string> SaslMechanisms { get; }

    public static AuthenticationRequest Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, "Authentication");
        var code = reader.ReadInt32();
        var data = ReadOnlySequence<byte>.Empty;
        IReadOnlyList<string> mechanisms = [];
        switch ((AuthenticationKind)code)
        {
            case AuthenticationKind.Ok or AuthenticationKind.KerberosV5 or AuthenticationKind.CleartextPassword
                or AuthenticationKind.Gss or AuthenticationKind.Sspi:
                break;
            case AuthenticationKind.Md5Password:
                data = reader.ReadBytes(4);
                break;
            case AuthenticationKind.Sasl:
                mechanisms = ReadMechanisms(ref reader);
                break;
            case AuthenticationKind.SaslContinue or AuthenticationKind.SaslFinal or AuthenticationKind.GssContinue:
                data = reader.ReadRemaining();
                break;
            default:
                PgProtocolException.Throw(PgProtocolViolation.UnknownAuthenticationRequest, $"Authentication: request code {code}");
                break;
        }
        reader.EnsureEnd();
        return new AuthenticationRequest((AuthenticationKind)code, data, mechanisms);
    }

    private static List<string> ReadMechanisms(ref PgPayloadReader reader)
    {
        var mechanisms = new List<string>(2);
        while (true)
        {
            var name = reader.ReadCString(MaxMechanismNameBytes);
            if (name.Length == 0)
                break;
            if (mechanisms.Count == MaxMechanisms)
                PgProtocolException.Throw(PgProtocolViolation.InvalidCount, $"AuthenticationSASL: more than {MaxMechanisms} mechanisms");
            mechanisms.Add(name);
        }
        if (mechanisms.Count == 0)
            PgProtocolException.Throw(PgProtocolViolation.InvalidCount, "AuthenticationSASL: no mechanisms");
        return mechanisms;
    }

    public override string ToString() => $"Authentication{Kind}";
}
