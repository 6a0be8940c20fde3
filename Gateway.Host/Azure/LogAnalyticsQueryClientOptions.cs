using Azure.Core;

namespace Gateway.Host.Azure;

/// <summary>Pipeline options for <see cref="LogAnalyticsQueryClient"/>; Azure.Core's default retry (429/5xx, Retry-After) applies.</summary>
public sealed class LogAnalyticsQueryClientOptions : ClientOptions
{
    public LogAnalyticsQueryClientOptions()
    {
        Retry.NetworkTimeout = TimeSpan.FromMinutes(3);
        Diagnostics.ApplicationId = "gateway";
    }
}
