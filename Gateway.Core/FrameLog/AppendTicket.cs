using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace Gateway.Core.FrameLog;

/// <summary>
/// One queued append: the record and the completion its caller awaits. Pooled and completed through
/// <see cref="ManualResetValueTaskSourceCore{TResult}"/> so an append allocates nothing of its own.
/// Continuations run asynchronously: the writer task must not run callers' code between batches.
/// </summary>
internal sealed class AppendTicket : IValueTaskSource
{
    private const int PoolLimit = 1024;
    private static readonly ConcurrentQueue<AppendTicket> Pool = new();
    private static int _pooled;

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

    /// <summary>The writer's timer nudge: carries no record and has no caller.</summary>
    public static readonly AppendTicket Tick = new();

    public FrameRecord? Record { get; private set; }

    /// <summary>True for a posted record (<see cref="IFrameLog.Post"/>): nobody awaits it, it recycles itself when done.</summary>
    public bool Posted { get; private set; }

    public static AppendTicket Rent(FrameRecord record, bool posted = false)
    {
        if (Pool.TryDequeue(out var ticket))
            Interlocked.Decrement(ref _pooled);
        else
            ticket = new AppendTicket();
        ticket.Record = record;
        ticket.Posted = posted;
        return ticket;
    }

    public ValueTask AsValueTask() => new(this, _core.Version);

    public void Succeed()
    {
        if (Posted)
            Recycle();
        else
            _core.SetResult(true);
    }

    public void Fail(Exception error)
    {
        if (Posted)
            Recycle();
        else
            _core.SetException(error);
    }

    public void GetResult(short token)
    {
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            Recycle();
        }
    }

    private void Recycle()
    {
        Record = null;
        Posted = false;
        _core.Reset();
        if (Interlocked.Increment(ref _pooled) <= PoolLimit)
            Pool.Enqueue(this);
        else
            Interlocked.Decrement(ref _pooled);
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
