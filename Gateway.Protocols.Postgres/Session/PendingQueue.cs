using System.Collections.Concurrent;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>
/// The requests forwarded to the server and not yet fully answered, oldest first. The client loop enqueues,
/// the server loop peeks and dequeues; a bound keeps a client that pipelines without reading from growing it
/// without limit (the client loop waits for room instead).
/// </summary>
internal sealed class PendingQueue : IDisposable
{
    public const int Capacity = 4096;

    private readonly ConcurrentQueue<PendingResponse> _queue = new();
    private readonly SemaphoreSlim _room = new(Capacity, Capacity);

    public int Count => _queue.Count;

    public async ValueTask EnqueueAsync(PendingResponse pending, CancellationToken cancellationToken)
    {
        await _room.WaitAsync(cancellationToken).ConfigureAwait(false);
        _queue.Enqueue(pending);
    }

    public void Dispose() => _room.Dispose();

    public bool TryPeek(out PendingResponse pending) => _queue.TryPeek(out pending!);

    /// <summary>The entries at this moment, oldest first (a snapshot: later enqueues are not seen).</summary>
    public IEnumerable<PendingResponse> Snapshot() => _queue;

    public bool TryDequeue(out PendingResponse pending)
    {
        if (!_queue.TryDequeue(out pending!))
            return false;
        pending.Timeout?.Dispose();
        _room.Release();
        return true;
    }
}
