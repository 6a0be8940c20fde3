using System.Globalization;
using Azure.Core;

namespace Gateway.Host.Azure;

/// <summary>
/// The server's requested wait: <c>retry-after-ms</c> / <c>x-ms-retry-after-ms</c> (milliseconds, preferred as the
/// more precise), else <c>Retry-After</c> as delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
/// </summary>
public static class RetryAfterHeader
{
    public static TimeSpan? From(ResponseHeaders headers, DateTimeOffset now)
    {
        foreach (var name in (string[])["retry-after-ms", "x-ms-retry-after-ms"])
        {
            if (headers.TryGetValue(name, out var milliseconds) && TryParseMilliseconds(milliseconds, out var delay))
                return delay;
        }
        return headers.TryGetValue("Retry-After", out var value) && TryParse(value, now, out var wait) ? wait : null;
    }

    public static bool TryParseMilliseconds(string? value, out TimeSpan delay)
    {
        delay = default;
        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ms) || ms > int.MaxValue)
            return false;
        delay = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    public static bool TryParse(string? value, DateTimeOffset now, out TimeSpan delay)
    {
        delay = default;
        if (string.IsNullOrWhiteSpace(value))
            return false;
        value = value.Trim();
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            delay = TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue));
            return true;
        }
        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
        {
            delay = date > now ? date - now : TimeSpan.Zero;
            return true;
        }
        return false;
    }
}
