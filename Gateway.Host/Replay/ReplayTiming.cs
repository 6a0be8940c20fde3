namespace Gateway.Host.Replay;

/// <summary>How transcript offsets map to playback time: scaled by <see cref="Speed"/>, long pauses capped.</summary>
public sealed record ReplayTiming(double Speed = 1, TimeSpan? IdleLimit = null)
{
    /// <summary>Playback offsets of each frame, in order.</summary>
    public IReadOnlyList<TimeSpan> Schedule(IReadOnlyList<TranscriptFrame> frames)
    {
        var schedule = new TimeSpan[frames.Count];
        var previous = TimeSpan.Zero;
        var at = TimeSpan.Zero;
        for (var i = 0; i < frames.Count; i++)
        {
            var gap = (frames[i].At - previous) / Speed;
            if (gap < TimeSpan.Zero)
                gap = TimeSpan.Zero;
            if (IdleLimit is { } limit && gap > limit)
                gap = limit;
            at += gap;
            schedule[i] = at;
            previous = frames[i].At;
        }
        return schedule;
    }
}
