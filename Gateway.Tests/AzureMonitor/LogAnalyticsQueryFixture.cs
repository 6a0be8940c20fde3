using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.AzureMonitor;

/// <summary>
/// FIXTURE, not Azure: an HTTPS stand-in for the Log Analytics query API
/// (https://learn.microsoft.com/rest/api/loganalytics/dataaccess/query/execute): <c>POST /v1/workspaces/{id}/query</c>
/// with a JSON body <c>{"query": ..., "timespan"?: ...}</c> and <c>Authorization: Bearer</c>, answering
/// <c>{"tables":[{"name":"PrimaryResult","columns":[{"name","type"}],"rows":[[...]]}]}</c>. It does not run KQL: the
/// test supplies the table each query gets.
/// </summary>
public sealed class LogAnalyticsQueryFixture : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestCertificates _certificates;
    private readonly List<string> _queries = [];

    private LogAnalyticsQueryFixture(WebApplication app, TestCertificates certificates, string caFile)
    {
        _app = app;
        _certificates = certificates;
        CaFile = caFile;
    }

    public string WorkspaceId { get; } = Guid.NewGuid().ToString();
    public string Token { get; } = "query-token-" + Guid.NewGuid().ToString("N");
    public Uri Endpoint { get; private set; } = null!;
    public string CaFile { get; }

    /// <summary>Answers a query: the result table (columns with types, rows), or null for a 400 "BadArgumentError".</summary>
    public Func<string, (IReadOnlyList<(string Name, string Type)> Columns, IReadOnlyList<JsonNode?[]> Rows)?> Responder { get; set; } =
        _ => ([], []);

    public IReadOnlyList<string> Queries
    {
        get { lock (_queries) return [.. _queries]; }
    }

    public static async Task<LogAnalyticsQueryFixture> StartAsync(string directory)
    {
        var certificates = TestCertificates.Create();
        var caFile = certificates.WriteRootPem(Path.Combine(directory, "query-root.pem"));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificates.Server)));
        var app = builder.Build();
        var fixture = new LogAnalyticsQueryFixture(app, certificates, caFile);
        app.Run(fixture.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fixture.Endpoint = new Uri($"https://127.0.0.1:{new Uri(address).Port}");
        return fixture;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Method != HttpMethods.Post || request.Path != $"/v1/workspaces/{WorkspaceId}/query")
        {
            await ErrorAsync(context, 404, "PathNotFoundError", "The requested path does not exist");
            return;
        }
        if (request.Headers.Authorization != $"Bearer {Token}")
        {
            await ErrorAsync(context, 401, "AuthorizationRequiredError", "Valid authentication was not provided");
            return;
        }
        JsonElement body;
        try
        {
            body = (await JsonDocument.ParseAsync(request.Body)).RootElement;
        }
        catch (JsonException)
        {
            await ErrorAsync(context, 400, "BadArgumentError", "The request body is not JSON");
            return;
        }
        if (!body.TryGetProperty("query", out var queryElement) || queryElement.GetString() is not { Length: > 0 } query)
        {
            await ErrorAsync(context, 400, "BadArgumentError", "The request had some invalid properties");
            return;
        }
        lock (_queries)
            _queries.Add(query);

        if (Responder(query) is not { } result)
        {
            await ErrorAsync(context, 400, "BadArgumentError", "The query could not be parsed");
            return;
        }
        var columns = new JsonArray([.. result.Columns.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["type"] = c.Type })]);
        var rows = new JsonArray([.. result.Rows.Select(r => (JsonNode)new JsonArray([.. r.Select(cell => cell?.DeepClone())]))]);
        var response = new JsonObject
        {
            ["tables"] = new JsonArray(new JsonObject { ["name"] = "PrimaryResult", ["columns"] = columns, ["rows"] = rows }),
        };
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(response.ToJsonString());
    }

    private static async Task ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { error = new { code, message } }));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificates.Dispose();
    }
}
