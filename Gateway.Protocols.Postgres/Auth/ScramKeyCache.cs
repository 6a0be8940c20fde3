using System.Security.Cryptography;

namespace Gateway.Protocols.Postgres.Auth;

/// <summary>
/// The SCRAM-SHA-256 ClientKey and ServerKey of a password, salt and iteration count. Deriving them is PBKDF2 over
/// 4,096 or more HMAC rounds, and the inputs never change between the gateway's connections to a target (the
/// server keeps one salt and count per role), yet every upstream connection paid for it again: under pgbench -C
/// through the gateway, OpenSSL's PBKDF2 was more than half the gateway's CPU (docs/performance.md). The keys
/// prove nothing the password in the gateway's memory does not already prove, and only to a server that stores
/// this salt. Bounded: at <see cref="Capacity"/> entries (a target that hands out a new salt on every attempt,
/// say) the cache starts over. Thread-safe.
/// </summary>
internal sealed class ScramKeyCache
{
    public const int Capacity = 64;

    /// <summary>The process's cache, which every upstream connection shares.</summary>
    public static ScramKeyCache Shared { get; } = new();

    private readonly Dictionary<string, Keys> _keys = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _derivations;

    /// <summary>The derived key pair; copies, for the caller to zero.</summary>
    public readonly record struct Keys(byte[] ClientKey, byte[] ServerKey);

    /// <summary>How many times PBKDF2 ran.</summary>
    public long Derivations => Interlocked.Read(ref _derivations);

    /// <param name="preparedPassword">The SASLprep'd password, UTF-8.</param>
    public Keys Get(ReadOnlySpan<byte> preparedPassword, byte[] salt, int iterations)
    {
        // The lookup key is a hash, so the cache holds no second copy of the password.
        var id = Identify(preparedPassword, salt, iterations);
        lock (_gate)
        {
            if (_keys.TryGetValue(id, out var cached))
                return Copy(cached);
        }

        var saltedPassword = Rfc2898DeriveBytes.Pbkdf2(preparedPassword, salt, iterations, HashAlgorithmName.SHA256, SHA256.HashSizeInBytes);
        Interlocked.Increment(ref _derivations);
        var keys = new Keys(HMACSHA256.HashData(saltedPassword, "Client Key"u8), HMACSHA256.HashData(saltedPassword, "Server Key"u8));
        CryptographicOperations.ZeroMemory(saltedPassword);
        lock (_gate)
        {
            if (_keys.Count >= Capacity)
                _keys.Clear();
            _keys[id] = keys;
        }
        return Copy(keys);
    }

    private static string Identify(ReadOnlySpan<byte> password, byte[] salt, int iterations)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> count = stackalloc byte[sizeof(int)];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(count, iterations);
        hash.AppendData(count);
        Span<byte> length = stackalloc byte[sizeof(int)];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, salt.Length);
        hash.AppendData(length);
        hash.AppendData(salt);
        hash.AppendData(password);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static Keys Copy(Keys keys) => new((byte[])keys.ClientKey.Clone(), (byte[])keys.ServerKey.Clone());
}
