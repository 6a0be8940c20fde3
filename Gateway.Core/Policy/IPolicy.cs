namespace Gateway.Core.Policy;

/// <summary>
/// An immutable, compiled rule snapshot. Sessions take the current snapshot per command from an
/// <see cref="IPolicySource"/>, so a reload never changes the rules under a command in flight.
/// </summary>
public interface IPolicy
{
    Decision Evaluate(SessionFacts session, Command command);
}

/// <summary>The current rules of one listener; swapped atomically on hot reload.</summary>
public interface IPolicySource
{
    IPolicy Current { get; }

    /// <summary>False after a reload failed (the previous rules stay in force); the health check turns red.</summary>
    bool IsHealthy { get; }

    string? LastError { get; }
}
