using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gateway.Protocols.Postgres.Auth;

/// <summary>
/// The SCRAM-SHA-256 ClientKey and ServerKey of a password, salt and iteration count. Deriving them is PBKDF2 over
/// 4,096 or more HMAC rounds, and the inputs never change between the gateway's connections to a target (the
/// server keeps one salt and count per role), yet every upstream connection paid for it again: under pgbench -C
/// through the gateway, OpenSSL's PBKDF2 was more than half the gateway's CPU (docs/performance.md).
/// <para>
/// One entry per scope (a target and its user): the scopes are the configured targets, so the cache is bounded by
/// the configuration, and a target cannot evict, probe or time another target's entry (sending another target's
/// salt to learn whether the two share a password, say); one that sends a new salt every time only replaces its
/// own. The keys log in as the role to a server that stores this salt, as the password does; they are kept until
/// replaced (then zeroed) for the life of the process, like the keys pgbouncer keeps. The entry is found by an
/// HMAC under a key random per process, so neither the password nor a fast hash of it is kept. Thread-safe.
/// </para>
/// </summary>
internal sealed class ScramKeyCache
{
    /// <summary>The process's cache, which every upstream connection shares.</summary>
    public static ScramKeyCache Shared { get; } = new();

    private readonly byte[] _lookupKey = RandomNumberGenerator.GetBytes(32);
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _derivations;

    private sealed record Entry(byte[] Id, byte[] ClientKey, byte[] ServerKey)
    {
        public Keys Copy() => new((byte[])ClientKey.Clone(), (byte[])ServerKey.Clone());
    }

    /// <summary>The derived key pair: copies, for the caller to zero.</summary>
    public readonly record struct Keys(byte[] ClientKey, byte[] ServerKey);

    /// <summary>How many times PBKDF2 ran.</summary>
    public long Derivations => Interlocked.Read(ref _derivations);

    /// <param name="scope">Whose keys these are: the target and user the exchange logs in to.</param>
    /// <param name="preparedPassword">The SASLprep'd password, UTF-8.</param>
    public Keys Get(string scope, ReadOnlySpan<byte> preparedPassword, byte[] salt, int iterations)
    {
        var id = Identify(preparedPassword, salt, iterations);
        lock (_gate)
        {
            if (_entries.TryGetValue(scope, out var cached) && CryptographicOperations.FixedTimeEquals(cached.Id, id))
                return cached.Copy();
        }

        var saltedPassword = Rfc2898DeriveBytes.Pbkdf2(preparedPassword, salt, iterations, HashAlgorithmName.SHA256, SHA256.HashSizeInBytes);
        Interlocked.Increment(ref _derivations);
        var entry = new Entry(id, HMACSHA256.HashData(saltedPassword, "Client Key"u8), HMACSHA256.HashData(saltedPassword, "Server Key"u8));
        CryptographicOperations.ZeroMemory(saltedPassword);
        lock (_gate)
        {
            if (_entries.Remove(scope, out var replaced))
            {
                CryptographicOperations.ZeroMemory(replaced.ClientKey);
                CryptographicOperations.ZeroMemory(replaced.ServerKey);
            }
            _entries[scope] = entry;
            return entry.Copy();
        }
    }

    private byte[] Identify(ReadOnlySpan<byte> password, byte[] salt, int iterations)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _lookupKey);
        Span<byte> lengths = stackalloc byte[2 * sizeof(int)];
        BinaryPrimitives.WriteInt32BigEndian(lengths, iterations);
        BinaryPrimitives.WriteInt32BigEndian(lengths[sizeof(int)..], salt.Length);
        hmac.AppendData(lengths);
        hmac.AppendData(salt);
        hmac.AppendData(password);
        return hmac.GetHashAndReset();
    }
}
