using System.Security.Cryptography;

namespace Gateway.Core.FrameLog;

/// <summary>
/// The hash chain: <c>Hash = hex(SHA-256(PrevHash bytes ‖ canonical JSON without Hash))</c>, lower-case hex.
/// The first record of a node's log chains from <see cref="Genesis"/>. One instance per thread (it keeps
/// an incremental hash to avoid an allocation per record).
/// </summary>
public sealed class ChainHash : IDisposable
{
    /// <summary>The PrevHash of the first record ever written: 32 zero bytes.</summary>
    public static readonly string Genesis = new('0', FrameRecordJson.HashHexLength);

    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>
    /// Hashes <paramref name="prevHashHex"/> (64 hex) followed by <paramref name="canonicalBody"/> and the
    /// closing brace that completes it (see <see cref="FrameRecordJson.TrySplitLine"/>).
    /// </summary>
    public void Compute(ReadOnlySpan<char> prevHashHex, ReadOnlySpan<byte> canonicalBody, Span<char> hashHex)
    {
        Span<byte> prev = stackalloc byte[32];
        if (prevHashHex.Length != FrameRecordJson.HashHexLength
            || Convert.FromHexString(prevHashHex, prev, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != 32)
            throw new FormatException("PrevHash is not 64 hex digits");
        _sha.AppendData(prev);
        _sha.AppendData(canonicalBody);
        _sha.AppendData("}"u8);
        Span<byte> digest = stackalloc byte[32];
        _sha.GetHashAndReset(digest);
        if (!Convert.TryToHexStringLower(digest, hashHex, out _))
            throw new ArgumentException("destination must hold 64 characters", nameof(hashHex));
    }

    public void Dispose() => _sha.Dispose();
}
