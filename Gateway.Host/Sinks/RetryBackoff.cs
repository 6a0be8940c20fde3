namespace Gateway.Host.Sinks;

/// <summary>
/// Delay before the next attempt: the server's Retry-After when it sent one (bounded, so a hostile or broken
/// header cannot park the sink for a day), else exponential backoff with equal jitter
/// (half fixed, half random) so many gateways recovering from one outage do not retry in lockstep.
/// </summary>
public sealed class RetryBackoff(TimeSpan initial, TimeSpan max, Random? random = null)
{
    /// <summary>Longest Retry-After honoured as given.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(5);

    private readonly Random _random = random ?? Random.Shared;
    private int _failures;

    public int Failures => _failures;

    public TimeSpan Next(TimeSpan? retryAfter)
    {
        _failures++;
        if (retryAfter is { } serverSaid)
            return serverSaid < TimeSpan.Zero ? TimeSpan.Zero : serverSaid > MaxRetryAfter ? MaxRetryAfter : serverSaid;

        var exponent = Math.Min(_failures - 1, 30);
        var ceiling = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        var half = ceiling / 2;
        return TimeSpan.FromMilliseconds(half + _random.NextDouble() * half);
    }

    public void Reset() => _failures = 0;
}
