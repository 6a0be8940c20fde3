using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;

namespace Gateway.Host.Azure;

/// <summary>
/// One call of the Azure Monitor Logs Ingestion API on Azure.Core's <see cref="HttpPipeline"/>:
/// <c>POST {endpoint}/dataCollectionRules/{ruleId}/streams/{stream}?api-version=2023-01-01</c> with a gzip'd JSON
/// array, bearer token for <see cref="Scope"/>. Returns a classified result instead of throwing, so the caller
/// decides between retrying, halting and moving on.
/// (https://learn.microsoft.com/azure/azure-monitor/logs/logs-ingestion-api-overview)
/// </summary>
public sealed class LogsIngestionClient : IDisposable
{
    public const string Scope = "https://monitor.azure.com//.default";
    public const string ApiVersion = "2023-01-01";

    /// <summary>The service's limit on one call's uncompressed body.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private const int MaxErrorChars = 512;

    private readonly HttpPipeline _pipeline;
    private readonly Uri _uri;
    private readonly IDisposable? _transport;
    private readonly TimeProvider _time;

    public LogsIngestionClient(Uri endpoint, string ruleId, string stream, TokenCredential credential,
        LogsIngestionClientOptions? options = null, TimeProvider? time = null)
    {
        options ??= new LogsIngestionClientOptions();
        _transport = options.Transport as IDisposable;
        _time = time ?? TimeProvider.System;
        _uri = new Uri($"{endpoint.AbsoluteUri.TrimEnd('/')}/dataCollectionRules/{Uri.EscapeDataString(ruleId)}"
            + $"/streams/{Uri.EscapeDataString(stream)}?api-version={ApiVersion}");
        _pipeline = HttpPipelineBuilder.Build(options, [], [new BearerTokenAuthenticationPolicy(credential, Scope)],
            new ResponseClassifier());
    }

    /// <summary>The request URI (no secret in it).</summary>
    public Uri Uri => _uri;

    /// <param name="gzipJsonArray">A gzip'd JSON array whose uncompressed size is at most <see cref="MaxBodyBytes"/>.</param>
    public async Task<IngestionResult> UploadAsync(ReadOnlyMemory<byte> gzipJsonArray, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(_uri);
        request.Headers.SetValue("Content-Type", "application/json");
        request.Headers.SetValue("Content-Encoding", "gzip");
        request.Content = RequestContent.Create(gzipJsonArray);
        message.BufferResponse = true;

        try
        {
            await _pipeline.SendAsync(message, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException e)
        {
            return Failure(IngestionOutcome.Retry, 0, "timeout", e.Message);
        }
        catch (AuthenticationFailedException e)
        {
            // Includes CredentialUnavailableException: no token, so the service never saw the call. Often transient
            // (IMDS starting, a token file being rotated), so retried; health shows the cause.
            return Failure(IngestionOutcome.Retry, 0, "credential", e.Message);
        }
        catch (RequestFailedException e) when (e.Status == 0)
        {
            return Failure(IngestionOutcome.Retry, 0, "transport", e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return Failure(IngestionOutcome.Retry, 0, "transport", e.Message);
        }

        var response = message.Response;
        var status = response.Status;
        if (status == 204)
            return IngestionResult.Accepted(status);

        var outcome = Classify(status);
        var retryAfter = outcome == IngestionOutcome.Retry ? RetryAfterHeader.From(response.Headers, _time.GetUtcNow()) : null;
        return new IngestionResult(outcome, status, retryAfter, status.ToString(System.Globalization.CultureInfo.InvariantCulture),
            DescribeError(response));
    }

    /// <summary>408, 429 and 5xx are worth another try; everything else (400, 401, 403, 404, 413, ...) is not.</summary>
    public static IngestionOutcome Classify(int status) => status switch
    {
        204 => IngestionOutcome.Accepted,
        408 or 429 or >= 500 and <= 599 => IngestionOutcome.Retry,
        _ => IngestionOutcome.Rejected,
    };

    public void Dispose() => _transport?.Dispose();

    private static IngestionResult Failure(IngestionOutcome outcome, int status, string kind, string error) =>
        new(outcome, status, null, kind, Cap(error));

    /// <summary>The documented error shape is <c>{"error":{"code":..,"message":..}}</c>; fall back to raw text.</summary>
    private static string DescribeError(Response response)
    {
        var body = response.Content.ToMemory();
        if (body.IsEmpty)
            return response.ReasonPhrase;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object)
            {
                var code = error.TryGetProperty("code", out var c) ? c.ToString() : "";
                var text = error.TryGetProperty("message", out var m) ? m.ToString() : "";
                return Cap($"{code}: {text}");
            }
        }
        catch (JsonException)
        {
            // Not JSON: report the start of the text.
        }
        return Cap(Encoding.UTF8.GetString(body.Span[..Math.Min(body.Length, MaxErrorChars)]));
    }

    private static string Cap(string text) => text.Length <= MaxErrorChars ? text : text[..MaxErrorChars] + "…";
}
