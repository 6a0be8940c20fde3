using System.Numerics;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// TinyLFU's doorkeeper: a Bloom filter (two bits per text) of the texts seen once recently, so a cache admits a
/// text on its second sighting. Bits rather than a table of hashes, so two texts that hash alike never keep each
/// other out (a shared bit only lets one in a sighting early). Cleared after every <c>bits / 8</c> new texts, which
/// keeps false positives under ~6 % and makes "recently" mean the last few thousand distinct texts. Not
/// thread-safe: the cache calls it under its lock.
/// </summary>
internal sealed class Doorkeeper
{
    private readonly ulong[] _bits;
    private readonly int _mask;
    private readonly int _clearAfter;
    private int _added;

    /// <param name="bits">Size of the filter; rounded up to a power of two, at least 4,096.</param>
    public Doorkeeper(int bits)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(bits, 4096, 1 << 24));
        _bits = new ulong[size / 64];
        _mask = size - 1;
        _clearAfter = size / 8;
    }

    /// <summary>True when <paramref name="hash"/> was offered since the last clear; otherwise remembers it.</summary>
    public bool SeenBefore(int hash)
    {
        var first = (int)((uint)hash & (uint)_mask);
        // The second bit from the other half of a remixed hash, so texts whose hashes share low bits still differ.
        var second = (int)(BitOperations.RotateLeft((uint)hash * 0x9E3779B1u, 16) & (uint)_mask);
        if (IsSet(first) && IsSet(second))
            return true;
        if (++_added > _clearAfter)
        {
            Array.Clear(_bits);
            _added = 1;
        }
        Set(first);
        Set(second);
        return false;
    }

    private bool IsSet(int bit) => (_bits[bit >> 6] & (1UL << bit)) != 0;

    private void Set(int bit) => _bits[bit >> 6] |= 1UL << bit;
}
