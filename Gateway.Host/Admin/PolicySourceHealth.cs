using Gateway.Core.Diagnostics;
using Gateway.Core.Policy;

namespace Gateway.Host.Admin;

/// <summary>A listener's rules as a health contributor: unhealthy after a failed reload (the old rules stay in force).</summary>
internal sealed class PolicySourceHealth(string listener, IPolicySource source) : IHealthContributor
{
    public string Name { get; } = $"rules:{listener}";

    public bool Healthy => source.IsHealthy;

    public string? Detail => source.IsHealthy ? null : $"rule reload failed, previous rules still in force: {source.LastError ?? "unknown error"}";
}
