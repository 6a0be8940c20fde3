namespace Gateway.Host.Backtest;

/// <summary>What <see cref="Backtester"/> replays: which recorded commands, judged by which rules.</summary>
public sealed record BacktestOptions
{
    /// <summary>Only commands recorded on this listener; null: every listener's.</summary>
    public string? Listener { get; init; }

    /// <summary>Only commands recorded at or after this time; null: the whole local log.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Distinct command texts kept per change for the report; 0 keeps every one.</summary>
    public int CommandsPerChange { get; init; } = 5;
}
