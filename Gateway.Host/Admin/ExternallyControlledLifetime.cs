using Microsoft.Extensions.Hosting;

namespace Gateway.Host.Admin;

/// <summary>
/// Replaces the default console lifetime in the admin web host: signals belong to <c>GatewayHost</c>, which
/// drains sessions before anything stops; the admin endpoint must not react to SIGTERM on its own.
/// </summary>
internal sealed class ExternallyControlledLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
