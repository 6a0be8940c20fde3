using System.Buffers;
using System.Text;

namespace Gateway.Core.Masking;

/// <summary>A span of a value that a detector found, and how it is to be masked.</summary>
internal readonly record struct DetectorHit(int Start, int Length, MaskStrategy Strategy)
{
    public int End => Start + Length;
}

/// <summary>
/// The state of scanning one value: the UTF-8 bytes, a lazily made Latin-1 widening of them for the detectors
/// that use a regular expression, and the hits found so far. Lives on the stack; buffers come from the caller's
/// stack and fall back to the array pool only for large values or many hits, so a clean value allocates nothing.
/// </summary>
/// <remarks>
/// Widening byte-for-byte (not decoding UTF-8) keeps regex indices equal to byte offsets. Every pattern is
/// ASCII-only, so a non-ASCII byte (0x80-0xFF as a char) never takes part in a match.
/// </remarks>
internal ref struct ValueScan
{
    public readonly ReadOnlySpan<byte> Utf8;

    private Span<char> _chars;
    private char[]? _rentedChars;
    private bool _widened;

    private Span<DetectorHit> _hits;
    private DetectorHit[]? _rentedHits;
    private int _count;

    public ValueScan(ReadOnlySpan<byte> utf8, Span<char> charBuffer, Span<DetectorHit> hitBuffer)
    {
        Utf8 = utf8;
        _chars = charBuffer;
        _hits = hitBuffer;
    }

    /// <summary>The strategy of the detector now running; <see cref="Add"/> records it with each hit.</summary>
    public MaskStrategy Strategy { get; set; }

    public readonly int Count => _count;

    public readonly ReadOnlySpan<DetectorHit> Hits => _hits[.._count];

    /// <summary>The value widened byte-for-byte to chars, made on first use.</summary>
    public ReadOnlySpan<char> Latin1
    {
        get
        {
            if (!_widened)
            {
                if (_chars.Length < Utf8.Length)
                {
                    _rentedChars = ArrayPool<char>.Shared.Rent(Utf8.Length);
                    _chars = _rentedChars;
                }
                Encoding.Latin1.GetChars(Utf8, _chars);
                _chars = _chars[..Utf8.Length];
                _widened = true;
            }
            return _chars;
        }
    }

    public void Add(int start, int length)
    {
        if (length <= 0)
            return;
        if (_count == _hits.Length)
            Grow();
        _hits[_count++] = new DetectorHit(start, length, Strategy);
    }

    /// <summary>Sorts hits by start and merges overlapping ones (the merged hit takes the stricter strategy).</summary>
    public void Normalize()
    {
        var hits = _hits[.._count];
        // Insertion sort: hit lists are tiny and usually already ordered per detector.
        for (var i = 1; i < hits.Length; i++)
        {
            var current = hits[i];
            var j = i - 1;
            while (j >= 0 && hits[j].Start > current.Start)
            {
                hits[j + 1] = hits[j];
                j--;
            }
            hits[j + 1] = current;
        }

        var merged = 0;
        for (var i = 0; i < hits.Length; i++)
        {
            if (merged > 0 && hits[i].Start < hits[merged - 1].End)
            {
                var last = hits[merged - 1];
                var end = Math.Max(last.End, hits[i].End);
                var strategy = (MaskStrategy)Math.Max((int)last.Strategy, (int)hits[i].Strategy);
                hits[merged - 1] = new DetectorHit(last.Start, end - last.Start, strategy);
            }
            else
            {
                hits[merged++] = hits[i];
            }
        }
        _count = merged;
    }

    public void Dispose()
    {
        if (_rentedChars is not null)
            ArrayPool<char>.Shared.Return(_rentedChars);
        if (_rentedHits is not null)
            ArrayPool<DetectorHit>.Shared.Return(_rentedHits);
        _rentedChars = null;
        _rentedHits = null;
    }

    private void Grow()
    {
        var bigger = ArrayPool<DetectorHit>.Shared.Rent(Math.Max(16, _hits.Length * 2));
        _hits[.._count].CopyTo(bigger);
        if (_rentedHits is not null)
            ArrayPool<DetectorHit>.Shared.Return(_rentedHits);
        _rentedHits = bigger;
        _hits = bigger;
    }
}
