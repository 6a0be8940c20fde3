using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text;

namespace Gateway.Core.Masking;

/// <summary>
/// How results of one command are masked: column globs with a strategy, plus content detectors run on
/// every text value. Built by the rule engine from the matching <c>mask</c> rule(s); applied by each
/// protocol's result path (PostgreSQL DataRow / CopyData, MySQL rows, Kubernetes JSON).
/// </summary>
/// <remarks>
/// Immutable and shared by every command its rule decides. A protocol calls <see cref="ForColumns"/> once per
/// result shape (RowDescription), then for each text value <see cref="ColumnMask.TryMask"/> (or
/// <see cref="TryMask(ReadOnlySpan{byte}, bool, IBufferWriter{byte})"/>): <c>false</c> means forward the original
/// bytes untouched.
/// </remarks>
public sealed partial class MaskingPlan
{
    private const int StackChars = 256;
    private const int StackHits = 8;

    private readonly (Policy.NameMatcher Columns, MaskStrategy Strategy)[] _columnRules;
    private readonly ActiveDetector[] _detectors;
    private readonly MaskingKey? _key;

    /// <param name="key">The deployment key; required when any spec uses <see cref="MaskStrategy.Hash"/>.</param>
    public MaskingPlan(IEnumerable<MaskSpec> specs, MaskingKey? key)
    {
        Specs = [.. specs.Distinct()];
        if (Specs.Any(s => s.Strategy == MaskStrategy.Hash) && key is null)
            throw new ArgumentException("the hash strategy needs the deployment masking key", nameof(key));
        _key = key;

        _columnRules = [.. Specs.Where(s => s.ColumnMatcher is not null).Select(s => (s.ColumnMatcher!, s.Strategy))];
        ColumnStrategy = _columnRules.Length == 0 ? MaskStrategy.Redact : _columnRules.Max(r => r.Strategy);

        // One entry per detector, with the strictest strategy any spec gives it.
        _detectors = [.. Specs
            .SelectMany(s => s.Detectors.Select(d => (Detector: d, s.Strategy)))
            .GroupBy(p => p.Detector)
            .Select(g => new ActiveDetector(g.Key, g.Max(p => p.Strategy)))
            .OrderBy(a => DetectorCatalog.All.IndexOf(a.Detector))];
    }

    /// <summary>A plan that runs every detector and redacts what they find: for audit copies of command text.</summary>
    public static MaskingPlan AllDetectorsRedacted { get; } =
        new([new MaskSpec("audit", [], DetectorCatalog.All, MaskStrategy.Redact)], key: null);

    public ImmutableArray<MaskSpec> Specs { get; }

    /// <summary>The strategy <see cref="TryMask(ReadOnlySpan{byte}, bool, IBufferWriter{byte})"/> applies to a masked column: the strictest of the column specs.</summary>
    public MaskStrategy ColumnStrategy { get; }

    public bool HasDetectors => _detectors.Length > 0;

    public bool MasksColumns => _columnRules.Length > 0;

    /// <summary>The plan that masks everything either plan masks (statements of one command decided by different mask rules).</summary>
    public static MaskingPlan Union(MaskingPlan first, MaskingPlan second) =>
        ReferenceEquals(first, second) ? first : new MaskingPlan(first.Specs.Concat(second.Specs), first._key ?? second._key);

    /// <summary>Resolves the column globs for one result shape. Call once per RowDescription, not per row.</summary>
    public ColumnMask ForColumns(IReadOnlyList<string> columnNames)
    {
        if (_columnRules.Length == 0)
            return new ColumnMask(this, new MaskStrategy?[columnNames.Count]);
        var strategies = new MaskStrategy?[columnNames.Count];
        for (var i = 0; i < columnNames.Count; i++)
        {
            foreach (var (columns, strategy) in _columnRules)
            {
                if (columns.Matches(columnNames[i]) && (strategies[i] is null || strategy > strategies[i]))
                    strategies[i] = strategy;
            }
        }
        return new ColumnMask(this, strategies);
    }

    /// <summary>
    /// Masks one text value. Returns false and writes nothing when the column is not masked and no detector
    /// finds anything (the caller forwards the original bytes; nothing is allocated). Otherwise writes the
    /// masked value to <paramref name="destination"/> and returns true.
    /// </summary>
    public bool TryMask(ReadOnlySpan<byte> utf8Value, bool columnMasked, IBufferWriter<byte> destination) =>
        TryMask(utf8Value, columnMasked ? ColumnStrategy : null, destination);

    /// <summary>Masks a copy of text for the audit record; returns the same instance when nothing is found.</summary>
    [SkipLocalsInit]
    public string MaskText(string text)
    {
        if (_detectors.Length == 0 || text.Length == 0)
            return text;
        // Called for every recorded command: encode on the stack (or a pooled array) and mask into a per-thread
        // scratch, so a text without findings costs no allocation.
        var maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var utf8 = maxBytes <= StackTextBytes ? stackalloc byte[StackTextBytes] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, utf8);
            var output = t_textScratch ??= new ArrayBufferWriter<byte>(256);
            output.ResetWrittenCount();
            var masked = TryMask(utf8[..length], columnStrategy: null, output) ? Encoding.UTF8.GetString(output.WrittenSpan) : text;
            if (output.Capacity > MaxKeptScratchBytes)
                t_textScratch = null;   // one huge text does not pin its buffer on this thread
            return masked;
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private const int StackTextBytes = 1024;
    private const int MaxKeptScratchBytes = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_textScratch;

    [SkipLocalsInit]
    internal bool TryMask(ReadOnlySpan<byte> utf8Value, MaskStrategy? columnStrategy, IBufferWriter<byte> destination)
    {
        if (columnStrategy is { } strategy)
        {
            MaskWriter.WriteWhole(utf8Value, strategy, _key, destination);
            return true;
        }
        if (_detectors.Length == 0 || utf8Value.IsEmpty)
            return false;

        var present = TriggerScan.Of(utf8Value);
        if (present == Triggers.None)
            return false;
        var scan = new ValueScan(utf8Value, stackalloc char[StackChars], stackalloc DetectorHit[StackHits]);
        try
        {
            foreach (var active in _detectors)
            {
                if (!active.MayMatch(utf8Value.Length, present))
                    continue;
                scan.Strategy = active.Strategy;
                active.Detector.Find(ref scan);
            }
            if (scan.Count == 0)
                return false;
            scan.Normalize();
            MaskWriter.WriteWithHits(utf8Value, scan.Hits, _key, destination);
            return true;
        }
        finally
        {
            scan.Dispose();
        }
    }

    /// <summary>A detector of this plan with its strategy and its gate, read once so the per-value check is not virtual.</summary>
    private readonly struct ActiveDetector(Detector detector, MaskStrategy strategy)
    {
        private readonly Triggers _all = detector.Requires;
        private readonly Triggers _any = detector.RequiresAny;
        private readonly int _minLength = detector.MinLength;

        public Detector Detector { get; } = detector;

        public MaskStrategy Strategy { get; } = strategy;

        public bool MayMatch(int length, Triggers present) =>
            length >= _minLength && (present & _all) == _all && (_any == Triggers.None || (present & _any) != Triggers.None);
    }
}
