using System.Globalization;
using System.IO.Compression;
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

/// <summary>How a throttling answer says when to come back.</summary>
public enum RetryAfterStyle
{
    /// <summary><c>Retry-After: 1</c> (delta-seconds).</summary>
    Seconds,

    /// <summary><c>Retry-After: Tue, 01 Jul 2025 10:00:00 GMT</c> (HTTP-date).</summary>
    HttpDate,

    /// <summary><c>retry-after-ms: 50</c>.</summary>
    Milliseconds,
}

/// <summary>One call as the fixture saw it; <paramref name="RetryHint"/> is the wait a 429 asked for.</summary>
public sealed record IngestionCall(DateTimeOffset At, int Status, long UncompressedBytes, int Records, TimeSpan? RetryHint = null);

/// <summary>
/// FIXTURE, not Azure: an in-repo HTTPS stand-in for an Azure Monitor data collection endpoint that follows the
/// documented Logs Ingestion contract (https://learn.microsoft.com/azure/azure-monitor/logs/logs-ingestion-api-overview,
/// REST reference "Logs Ingestion - Upload"): <c>POST /dataCollectionRules/{ruleId}/streams/{stream}?api-version=2023-01-01</c>,
/// <c>Authorization: Bearer</c> (401 without the expected token), gzip bodies (<c>Content-Encoding: gzip</c>), 413 when
/// the uncompressed body exceeds 1 MiB, 400 unless the body is a JSON array of objects, 404 for an unknown rule or
/// stream, 204 on success. Fault switches: N x 429 with a retry hint, a 503 outage window, a fixed status.
/// Kestrel with a certificate from a throwaway private CA; clients trust it through <see cref="CaFile"/> (ca_file).
/// </summary>
public sealed class LogsIngestionFixture : IAsyncDisposable
{
    public const int MaxBodyBytes = 1024 * 1024;
    public const string ApiVersion = "2023-01-01";

    private readonly object _gate = new();
    private readonly List<JsonObject> _records = [];
    private readonly List<IngestionCall> _calls = [];
    private readonly WebApplication _app;
    private readonly TestCertificates _certificates;
    private readonly Queue<(RetryAfterStyle Style, TimeSpan Wait)> _throttles = new();
    private DateTimeOffset _outageUntil;
    private int? _fixedStatus;
    private int _acceptBeforeOutage = -1;

    private LogsIngestionFixture(WebApplication app, TestCertificates certificates, string caFile)
    {
        _app = app;
        _certificates = certificates;
        CaFile = caFile;
    }

    public string RuleId { get; } = "dcr-" + Guid.NewGuid().ToString("N");
    public string Stream { get; } = "Custom-GatewayFrames";
    public string Token { get; } = "fixture-token-" + Guid.NewGuid().ToString("N");
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>PEM of the private root that signed the server certificate.</summary>
    public string CaFile { get; }

    public static async Task<LogsIngestionFixture> StartAsync(string directory)
    {
        var certificates = TestCertificates.Create();
        var caFile = certificates.WriteRootPem(Path.Combine(directory, "fixture-root.pem"));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = 8 * MaxBodyBytes;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificates.Server));
        });
        var app = builder.Build();
        var fixture = new LogsIngestionFixture(app, certificates, caFile);
        app.Run(fixture.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fixture.Endpoint = new Uri($"https://127.0.0.1:{new Uri(address).Port}");
        return fixture;
    }

    public IReadOnlyList<JsonObject> Records
    {
        get { lock (_gate) return [.. _records]; }
    }

    public IReadOnlyList<IngestionCall> Calls
    {
        get { lock (_gate) return [.. _calls]; }
    }

    /// <summary>Queues <paramref name="count"/> 429 answers with the given hint, after any already queued.</summary>
    public void Throttle(int count, RetryAfterStyle style, TimeSpan wait)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
                _throttles.Enqueue((style, wait));
        }
    }

    /// <summary>Authorised calls get 503 until <paramref name="duration"/> from now.</summary>
    public void OutageFor(TimeSpan duration)
    {
        lock (_gate)
            _outageUntil = DateTimeOffset.UtcNow + duration;
    }

    /// <summary>After <paramref name="calls"/> more accepted calls, an open-ended 503 outage starts.</summary>
    public void OutageAfter(int calls)
    {
        lock (_gate)
            _acceptBeforeOutage = calls;
    }

    public void EndOutage()
    {
        lock (_gate)
        {
            _outageUntil = default;
            _acceptBeforeOutage = -1;
        }
    }

    /// <summary>Every authorised call gets <paramref name="status"/> (null: normal service).</summary>
    public void FailWith(int? status)
    {
        lock (_gate)
            _fixedStatus = status;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var segments = request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (request.Method != HttpMethods.Post || segments.Length != 4 || segments[0] != "dataCollectionRules" || segments[2] != "streams")
        {
            await RejectAsync(context, 404, "NotFound", "The requested resource was not found.");
            return;
        }
        if (request.Query["api-version"] != ApiVersion)
        {
            await RejectAsync(context, 400, "InvalidApiVersion", "The api-version query parameter is missing or not supported.");
            return;
        }
        if (request.Headers.Authorization != $"Bearer {Token}")
        {
            await RejectAsync(context, 401, "InvalidToken", "The provided authentication is not valid for this resource.");
            return;
        }
        if (segments[1] != RuleId)
        {
            await RejectAsync(context, 404, "DcrNotFound", "Data collection rule with immutable Id not found.");
            return;
        }
        if (segments[3] != Stream)
        {
            await RejectAsync(context, 404, "InvalidStream", "Stream is not declared in the data collection rule.");
            return;
        }

        var fault = NextFault();
        if (fault is not null)
        {
            await fault(context);
            return;
        }

        byte[] body;
        try
        {
            body = await ReadBodyAsync(request);
        }
        catch (InvalidDataException)
        {
            await RejectAsync(context, 400, "InvalidContentEncoding", "The gzip body could not be decoded.");
            return;
        }
        if (body.Length > MaxBodyBytes)
        {
            await RejectAsync(context, 413, "ContentLengthLimitExceeded", "Maximum allowed content length: 1048576 bytes (1 MB).", body.Length);
            return;
        }
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await RejectAsync(context, 400, "InvalidContentType", "Content-Type must be application/json.");
            return;
        }
        if (!TryParseArrayOfObjects(body, out var records))
        {
            await RejectAsync(context, 400, "InvalidPayload", "The body must be a JSON array of objects.");
            return;
        }

        lock (_gate)
        {
            _records.AddRange(records);
            _calls.Add(new IngestionCall(DateTimeOffset.UtcNow, 204, body.Length, records.Count));
            if (_acceptBeforeOutage > 0 && --_acceptBeforeOutage == 0)
                _outageUntil = DateTimeOffset.MaxValue;
        }
        response.StatusCode = 204;
    }

    private Func<HttpContext, Task>? NextFault()
    {
        lock (_gate)
        {
            if (_fixedStatus is { } status)
            {
                _calls.Add(new IngestionCall(DateTimeOffset.UtcNow, status, 0, 0));
                return context => ErrorAsync(context, status, "Fault", $"fixture fault {status}");
            }
            if (DateTimeOffset.UtcNow < _outageUntil)
            {
                _calls.Add(new IngestionCall(DateTimeOffset.UtcNow, 503, 0, 0));
                return context => ErrorAsync(context, 503, "ServiceUnavailable", "The service is temporarily unavailable.");
            }
            if (_throttles.TryDequeue(out var throttle))
            {
                var now = DateTimeOffset.UtcNow;
                string name, value;
                TimeSpan promised;
                switch (throttle.Style)
                {
                    case RetryAfterStyle.Seconds:
                        var seconds = (int)Math.Ceiling(throttle.Wait.TotalSeconds);
                        (name, value, promised) = ("Retry-After", seconds.ToString(CultureInfo.InvariantCulture), TimeSpan.FromSeconds(seconds));
                        break;
                    case RetryAfterStyle.HttpDate:
                        // HTTP-dates have whole seconds: round up so the hint is never shorter than meant.
                        var at = now + throttle.Wait;
                        var whole = new DateTimeOffset(at.Ticks - at.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(1);
                        (name, value, promised) = ("Retry-After", whole.ToString("r", CultureInfo.InvariantCulture), whole - now);
                        break;
                    default:
                        var ms = (int)throttle.Wait.TotalMilliseconds;
                        (name, value, promised) = ("retry-after-ms", ms.ToString(CultureInfo.InvariantCulture), TimeSpan.FromMilliseconds(ms));
                        break;
                }
                _calls.Add(new IngestionCall(now, 429, 0, 0, promised));
                return context =>
                {
                    context.Response.Headers[name] = value;
                    return ErrorAsync(context, 429, "TooManyRequests", "Rate limit exceeded.");
                };
            }
            return null;
        }
    }

    /// <summary>Reads the body, gunzipping when declared, never more than one byte past the limit.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        Stream source = request.Body;
        if (string.Equals(request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
            source = new GZipStream(request.Body, CompressionMode.Decompress);
        await using (source)
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = await source.ReadAsync(chunk)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > MaxBodyBytes)
                    break;
            }
            return buffer.ToArray();
        }
    }

    private static bool TryParseArrayOfObjects(byte[] body, out List<JsonObject> records)
    {
        records = [];
        try
        {
            if (JsonNode.Parse(body) is not JsonArray array)
                return false;
            foreach (var item in array)
            {
                if (item is not JsonObject record)
                    return false;
                records.Add(record);
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Answers with the documented error shape and records the call.</summary>
    private Task RejectAsync(HttpContext context, int status, string code, string message, long bytes = 0)
    {
        lock (_gate)
            _calls.Add(new IngestionCall(DateTimeOffset.UtcNow, status, bytes, 0));
        return ErrorAsync(context, status, code, message);
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
