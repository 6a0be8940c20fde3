namespace Gateway.Core.Identity;

/// <summary>
/// Validation outcomes by token hash, each kept until it expires (a principal until its token's <c>exp</c>).
/// Bounded: when full, expired entries go first, then the oldest. A connection storm that presents one
/// token thousands of times then costs one signature check.
/// </summary>
internal sealed class TokenCache(int capacity)
{
    private readonly record struct Entry(TokenHash Key, TokenValidationResult Result, DateTimeOffset ExpiresAt);

    private readonly Lock _gate = new();
    private readonly Dictionary<TokenHash, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _oldestFirst = new();
    private DateTimeOffset _earliestExpiry = DateTimeOffset.MaxValue;
    private long _hits;

    public long Hits => Interlocked.Read(ref _hits);

    public int Count
    {
        get
        {
            lock (_gate)
                return _entries.Count;
        }
    }

    public bool TryGet(TokenHash key, DateTimeOffset now, out TokenValidationResult result)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                if (node.Value.ExpiresAt > now)
                {
                    Interlocked.Increment(ref _hits);
                    result = node.Value.Result;
                    return true;
                }
                Remove(node);
            }
        }
        result = default;
        return false;
    }

    public void Add(TokenHash key, TokenValidationResult result, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        if (capacity <= 0 || expiresAt <= now)
            return;
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var existing))
                Remove(existing);
            if (_entries.Count >= capacity && now >= _earliestExpiry)
                RemoveExpired(now);
            while (_entries.Count >= capacity)
                Remove(_oldestFirst.First!);

            _entries[key] = _oldestFirst.AddLast(new Entry(key, result, expiresAt));
            if (expiresAt < _earliestExpiry)
                _earliestExpiry = expiresAt;
        }
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        var earliest = DateTimeOffset.MaxValue;
        for (var node = _oldestFirst.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.ExpiresAt <= now)
                Remove(node);
            else if (node.Value.ExpiresAt < earliest)
                earliest = node.Value.ExpiresAt;
            node = next;
        }
        _earliestExpiry = earliest;
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _entries.Remove(node.Value.Key);
        _oldestFirst.Remove(node);
    }
}
