using Azure.Core;

namespace Gateway.Host.Azure;

/// <summary>
/// Pipeline options for <see cref="LogsIngestionClient"/>. Azure.Core's own retry is switched off: one call is one
/// attempt, and the sink owns retrying (unbounded, interleaved with spool accounting and shutdown).
/// </summary>
public sealed class LogsIngestionClientOptions : ClientOptions
{
    public LogsIngestionClientOptions()
    {
        Retry.MaxRetries = 0;
        Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        Diagnostics.ApplicationId = "gateway";
    }
}
