namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// A bounded least-recently-used cache of analyses keyed by SQL text: drivers and agents repeat the same
/// statements, and a hit skips the native parse. Bounded by entry count and by the total size of the cached
/// texts; texts longer than the per-entry cap are never cached. Thread-safe: one short lock per lookup.
/// <para>
/// A text is admitted the second time it is added, not the first: a <see cref="Doorkeeper"/> (TinyLFU's) remembers
/// the texts seen once in between. Most texts an agent or a literal-inlining client sends
/// are never seen again (pgbench -S: a new literal every time); cached, each would push a repeated statement
/// out of the LRU and live just long enough to be promoted by the GC before eviction. Measured under pgbench -S
/// through the gateway: every GC was a gen1 or gen2 one, ~3 % of the time in GC pauses (docs/performance.md).
/// A repeated text costs one more parse; a false positive of the doorkeeper only admits a text one sighting early.
/// The shape cache has no doorkeeper of its own: the analyser looks a shape up only from its second sighting on.
/// </para>
/// </summary>
internal sealed class AnalysisCache
{
    private sealed class Entry(string text, SqlAnalysis analysis)
    {
        public string Text { get; } = text;
        public SqlAnalysis Analysis { get; } = analysis;
        public long Bytes => (long)Text.Length * sizeof(char);
    }

    private readonly Dictionary<string, LinkedListNode<Entry>> index = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> recency = new();
    private readonly Lock gate = new();
    private readonly int maxEntries;
    private readonly long maxTotalBytes;
    private readonly int maxTextLength;
    private readonly Doorkeeper? seenOnce;
    private long totalBytes;

    /// <param name="admitOnSecondSighting">False when the caller already keeps one-offs out (the shape cache).</param>
    public AnalysisCache(int maxEntries, long maxTotalBytes, int maxTextLength, bool admitOnSecondSighting = true)
    {
        this.maxEntries = maxEntries;
        this.maxTotalBytes = maxTotalBytes;
        this.maxTextLength = maxTextLength;
        seenOnce = admitOnSecondSighting ? new Doorkeeper(8 * maxEntries) : null;
    }

    public int Count
    {
        get
        {
            lock (gate)
                return index.Count;
        }
    }

    public long TotalBytes
    {
        get
        {
            lock (gate)
                return totalBytes;
        }
    }

    public bool TryGet(string text, out SqlAnalysis analysis)
    {
        if (maxEntries > 0 && text.Length <= maxTextLength)
        {
            lock (gate)
            {
                if (index.TryGetValue(text, out var node))
                {
                    recency.Remove(node);
                    recency.AddFirst(node);
                    analysis = node.Value.Analysis;
                    return true;
                }
            }
        }
        analysis = null!;
        return false;
    }

    public void Add(string text, SqlAnalysis analysis)
    {
        if (maxEntries <= 0 || text.Length > maxTextLength || (long)text.Length * sizeof(char) > maxTotalBytes)
            return;

        var hash = text.GetHashCode();
        lock (gate)
        {
            if (seenOnce is not null && !seenOnce.SeenBefore(hash))
                return;
            if (index.ContainsKey(text))
                return;
            var entry = new Entry(text, analysis);
            var node = recency.AddFirst(entry);
            index.Add(text, node);
            totalBytes += entry.Bytes;
            while (index.Count > maxEntries || totalBytes > maxTotalBytes)
            {
                var oldest = recency.Last!;
                recency.RemoveLast();
                index.Remove(oldest.Value.Text);
                totalBytes -= oldest.Value.Bytes;
            }
        }
    }
}
