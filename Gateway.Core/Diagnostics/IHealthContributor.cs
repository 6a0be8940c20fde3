namespace Gateway.Core.Diagnostics;

/// <summary>
/// Something whose failure makes the gateway unhealthy (<c>/healthz</c> answers 503): a rule source whose
/// reload failed, a frame log that cannot write. Read on every health probe, so keep the getters cheap.
/// </summary>
public interface IHealthContributor
{
    /// <summary>Short stable name shown in the health report, e.g. <c>frame_log</c> or <c>rules:pg</c>.</summary>
    string Name { get; }

    bool Healthy { get; }

    /// <summary>Why it is unhealthy (never a secret); null when healthy or nothing more to say.</summary>
    string? Detail { get; }
}
