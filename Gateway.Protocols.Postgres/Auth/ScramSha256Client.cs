using System.Security.Cryptography;
using System.Text;

namespace Gateway.Protocols.Postgres.Auth;

/// <summary>
/// The client side of SCRAM-SHA-256 (RFC 5802 with RFC 7677's hash) as PostgreSQL uses it, without channel
/// binding (gs2 header <c>n,,</c>). One instance per exchange, driven in order:
/// <see cref="CreateClientFirst"/> → <see cref="ProcessServerFirst"/> → <see cref="VerifyServerFinal"/>.
/// Every server value is checked before use; any failure throws <see cref="PgAuthenticationException"/> and
/// leaves the exchange failed. Spec: https://www.postgresql.org/docs/15/sasl-authentication.html
/// </summary>
public sealed class ScramSha256Client
{
    public const string Mechanism = "SCRAM-SHA-256";
    public const string MechanismPlus = "SCRAM-SHA-256-PLUS";

    public const int MinIterations = 4096;
    public const int MaxIterations = 1_000_000;
    private const int MaxNonceLength = 512;
    private const int MaxSaltBytes = 512;
    private const int MaxServerMessageBytes = 4096;
    private const int ClientNonceBytes = 18; // 24 base64 characters, as libpq
    private const string Gs2Header = "n,,";

    private readonly string _password;
    private readonly ScramKeyCache _keys;
    private readonly string _keyScope;
    private readonly string _clientFirstBare;
    private readonly string _clientNonce;
    private State _state = State.Initial;
    private byte[]? _expectedServerSignature;

    private enum State
    {
        Initial,
        AwaitingServerFirst,
        AwaitingServerFinal,
        Completed,
        Failed,
    }

    /// <param name="password">The password; SASLprep is applied here.</param>
    /// <param name="user">Sent in client-first; PostgreSQL ignores it (the startup user counts), so empty is normal.</param>
    public ScramSha256Client(string password, string user = "")
        : this(password, user, NewNonce())
    {
    }

    /// <summary>An exchange whose derived keys are shared with earlier ones of <paramref name="keyScope"/> (<see cref="ScramKeyCache"/>).</summary>
    /// <param name="keyScope">Whose keys these are: the target and the role it logs in as.</param>
    internal static ScramSha256Client Scoped(string password, string keyScope) =>
        new(password, "", NewNonce(), ScramKeyCache.Shared, keyScope);

    /// <summary>
    /// For test vectors: a fixed client nonce. Without <paramref name="keys"/> the exchange shares no derived keys
    /// (a cache of its own); only <see cref="Scoped"/> exchanges use the process's cache, each under its scope.
    /// </summary>
    internal ScramSha256Client(string password, string user, string clientNonce, ScramKeyCache? keys = null, string keyScope = "")
    {
        _password = password;
        _keys = keys ?? new ScramKeyCache();
        _keyScope = keyScope;
        _clientNonce = clientNonce;
        _clientFirstBare = $"n={EscapeSaslName(user)},r={clientNonce}";
    }

    public bool IsCompleted => _state == State.Completed;

    /// <summary>The client-first message (SASLInitialResponse data).</summary>
    public byte[] CreateClientFirst()
    {
        Expect(State.Initial);
        _state = State.AwaitingServerFirst;
        return Encoding.UTF8.GetBytes(Gs2Header + _clientFirstBare);
    }

    /// <summary>Checks server-first (AuthenticationSASLContinue data) and returns client-final (SASLResponse data).</summary>
    public byte[] ProcessServerFirst(ReadOnlySpan<byte> serverFirstBytes)
    {
        Expect(State.AwaitingServerFirst);
        try
        {
            var serverFirst = DecodeServerMessage(serverFirstBytes, "server-first");
            var (nonce, salt, iterations) = ParseServerFirst(serverFirst);

            var clientFinalWithoutProof = $"c={Convert.ToBase64String(Encoding.ASCII.GetBytes(Gs2Header))},r={nonce}";
            var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{serverFirst},{clientFinalWithoutProof}");

            var passwordBytes = Encoding.UTF8.GetBytes(SaslPrep.Prepare(_password));
            var (clientKey, serverKey) = _keys.Get(_keyScope, passwordBytes, salt, iterations);
            CryptographicOperations.ZeroMemory(passwordBytes);

            var storedKey = SHA256.HashData(clientKey);
            var clientSignature = HMACSHA256.HashData(storedKey, authMessage);
            var proof = new byte[clientKey.Length];
            for (var i = 0; i < proof.Length; i++)
                proof[i] = (byte)(clientKey[i] ^ clientSignature[i]);

            _expectedServerSignature = HMACSHA256.HashData(serverKey, authMessage);
            CryptographicOperations.ZeroMemory(clientKey);
            CryptographicOperations.ZeroMemory(serverKey);

            _state = State.AwaitingServerFinal;
            return Encoding.UTF8.GetBytes($"{clientFinalWithoutProof},p={Convert.ToBase64String(proof)}");
        }
        catch
        {
            _state = State.Failed;
            throw;
        }
    }

    /// <summary>Checks server-final (AuthenticationSASLFinal data): the server must prove it knows the verifier.</summary>
    public void VerifyServerFinal(ReadOnlySpan<byte> serverFinalBytes)
    {
        Expect(State.AwaitingServerFinal);
        _state = State.Failed;
        var serverFinal = DecodeServerMessage(serverFinalBytes, "server-final");
        if (serverFinal.StartsWith("e=", StringComparison.Ordinal))
            throw new PgAuthenticationException($"SCRAM: server reported error \"{Truncate(serverFinal[2..])}\"");
        if (!serverFinal.StartsWith("v=", StringComparison.Ordinal))
            throw new PgAuthenticationException("SCRAM: server-final has no server signature");

        var end = serverFinal.IndexOf(',', StringComparison.Ordinal);
        var encoded = end < 0 ? serverFinal[2..] : serverFinal[2..end];
        var signature = DecodeBase64(encoded, "server signature", SHA256.HashSizeInBytes);
        if (!CryptographicOperations.FixedTimeEquals(signature, _expectedServerSignature))
            throw new PgAuthenticationException("SCRAM: server signature does not match (the server does not know this password's verifier)");
        _state = State.Completed;
    }

    private (string Nonce, byte[] Salt, int Iterations) ParseServerFirst(string serverFirst)
    {
        // server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]
        var parts = serverFirst.Split(',');
        if (parts.Length < 3)
            throw new PgAuthenticationException("SCRAM: server-first must have r=, s= and i=");
        if (parts[0].StartsWith("m=", StringComparison.Ordinal))
            throw new PgAuthenticationException("SCRAM: server-first requires an unsupported extension (m=)");

        var nonce = Attribute(parts[0], 'r');
        if (nonce.Length > MaxNonceLength)
            throw new PgAuthenticationException($"SCRAM: server nonce of {nonce.Length} characters, limit is {MaxNonceLength}");
        if (!nonce.StartsWith(_clientNonce, StringComparison.Ordinal) || nonce.Length == _clientNonce.Length)
            throw new PgAuthenticationException("SCRAM: server nonce does not extend the client nonce");
        foreach (var c in nonce)
        {
            if (c is < (char)0x21 or > (char)0x7E)
                throw new PgAuthenticationException("SCRAM: server nonce has a non-printable character");
        }

        var salt = DecodeBase64(Attribute(parts[1], 's'), "salt", maxBytes: MaxSaltBytes);
        if (salt.Length == 0)
            throw new PgAuthenticationException("SCRAM: empty salt");

        var iterationText = Attribute(parts[2], 'i');
        if (!int.TryParse(iterationText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var iterations)
            || iterations is < MinIterations or > MaxIterations)
            throw new PgAuthenticationException($"SCRAM: iteration count \"{Truncate(iterationText)}\" is outside {MinIterations}..{MaxIterations}");
        return (nonce, salt, iterations);
    }

    private static string Attribute(string part, char name) =>
        part.Length >= 2 && part[0] == name && part[1] == '='
            ? part[2..]
            : throw new PgAuthenticationException($"SCRAM: expected attribute {name}= in server-first");

    private static byte[] DecodeBase64(string text, string what, int maxBytes)
    {
        if (text.Length > (maxBytes + 2) / 3 * 4)
            throw new PgAuthenticationException($"SCRAM: {what} longer than {maxBytes} bytes");
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new PgAuthenticationException($"SCRAM: {what} is not base64");
        }
    }

    private static string DecodeServerMessage(ReadOnlySpan<byte> bytes, string what)
    {
        if (bytes.Length > MaxServerMessageBytes)
            throw new PgAuthenticationException($"SCRAM: {what} of {bytes.Length} bytes, limit is {MaxServerMessageBytes}");
        if (!Ascii.IsValid(bytes))
            throw new PgAuthenticationException($"SCRAM: {what} is not ASCII");
        return Encoding.ASCII.GetString(bytes);
    }

    private void Expect(State state)
    {
        if (_state != state)
            throw new InvalidOperationException($"SCRAM exchange is in state {_state}, not {state}");
    }

    private static string EscapeSaslName(string name) =>
        name.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);

    private static string NewNonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(ClientNonceBytes));

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
