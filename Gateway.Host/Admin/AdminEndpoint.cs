using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Admin;

/// <summary>
/// The admin HTTP endpoint on <c>admin.bind</c> (Kestrel, minimal API): <c>GET /healthz</c> answers 200
/// <c>ok</c> or 503 with one line per problem; <c>GET /metrics</c> answers the Prometheus text format.
/// Plain HTTP: bind it to loopback or a management network.
/// </summary>
internal sealed class AdminEndpoint : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;

    private AdminEndpoint(WebApplication app, IPEndPoint localEndPoint)
    {
        _app = app;
        LocalEndPoint = localEndPoint;
    }

    /// <summary>The bound address (with the real port when the bind asked for port 0).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <exception cref="IOException">The address cannot be bound.</exception>
    public static async Task<AdminEndpoint> StartAsync(
        IPEndPoint bind, HealthCheck health, PrometheusExporter metrics, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "gateway-admin" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(bind);
            kestrel.AddServerHeader = false;
            // Probes and scrapers only: a handful of connections, small requests.
            kestrel.Limits.MaxConcurrentConnections = 64;
            kestrel.Limits.MaxRequestBodySize = 0;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton<IHostLifetime, ExternallyControlledLifetime>();
        builder.Services.AddSingleton(loggers);

        var app = builder.Build();
        app.UseRouting();
        app.MapMethods("/healthz", [HttpMethods.Get, HttpMethods.Head], () =>
        {
            var (healthy, text) = health.Evaluate();
            return Results.Text(text, "text/plain; charset=utf-8", statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        app.MapGet("/metrics", () => Results.Text(metrics.Scrape(), PrometheusExporter.ContentType));

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new AdminEndpoint(app, BoundEndPoint(app, bind));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static IPEndPoint BoundEndPoint(WebApplication app, IPEndPoint requested)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault();
        return first is not null && Uri.TryCreate(first, UriKind.Absolute, out var uri)
            ? new IPEndPoint(requested.Address, uri.Port)
            : requested;
    }
}
