namespace Gateway.Core.Audit;

/// <summary>
/// How fast connections refused before identification may write <c>connection_refused</c> records: a token bucket
/// shared by every listener of the process. A refusal costs an attacker one connect, and without a bound a stream
/// of them would grow the frame log at the attacker's rate, and with it the spool toward Azure Monitor, whose bound
/// (<c>on_spool_full: refuse</c>) would then refuse the audited commands of real sessions. Over the budget a
/// refusal is counted instead of recorded; the next recorded refusal carries that count
/// (<c>payload.unrecorded_before</c>), and <c>gateway.frame_log.refusals_unrecorded</c> counts every one.
/// </summary>
public sealed class RefusalRecordBudget
{
    /// <summary>Sustained records per second: far above what a fleet's mistyped tokens produce.</summary>
    public const int DefaultPerSecond = 100;

    /// <summary>Records a burst may write at once (a flood's first connections, a restart's reconnects).</summary>
    public const int DefaultBurst = 1000;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly double _tokensPerTick;
    private readonly int _burst;
    private double _tokens;
    private long _refilledAt;
    private long _unrecorded;
    private long _unrecordedTotal;

    public RefusalRecordBudget(TimeProvider? time = null, int perSecond = DefaultPerSecond, int burst = DefaultBurst)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _time = time ?? TimeProvider.System;
        _tokensPerTick = (double)perSecond / _time.TimestampFrequency;
        _burst = burst;
        _tokens = burst;
        _refilledAt = _time.GetTimestamp();
    }

    /// <summary>Refusals counted but not recorded since the process started.</summary>
    public long UnrecordedTotal => Volatile.Read(ref _unrecordedTotal);

    /// <summary>
    /// Takes one record's worth of budget. True: record the refusal, with <paramref name="unrecordedBefore"/>
    /// refusals that were not recorded since the last one that was. False: do not record it (it was counted).
    /// </summary>
    public bool TryTake(out long unrecordedBefore)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (now - _refilledAt) * _tokensPerTick);
            _refilledAt = now;
            if (_tokens < 1)
            {
                _unrecorded++;
                _unrecordedTotal++;
                unrecordedBefore = 0;
                return false;
            }
            _tokens -= 1;
            unrecordedBefore = _unrecorded;
            _unrecorded = 0;
            return true;
        }
    }
}
