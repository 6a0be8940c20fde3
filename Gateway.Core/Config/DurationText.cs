using System.Globalization;

namespace Gateway.Core.Config;

/// <summary>Durations as people write them in YAML: <c>500ms</c>, <c>30s</c>, <c>10m</c>, <c>1h</c>, <c>7d</c>, or bare seconds.</summary>
public static class DurationText
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        if (text.Length == 0)
            return false;

        var unitStart = text.Length;
        while (unitStart > 0 && char.IsAsciiLetter(text[unitStart - 1]))
            unitStart--;

        if (!double.TryParse(text.AsSpan(0, unitStart), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            || number < 0)
            return false;

        double? seconds = text[unitStart..] switch
        {
            "" or "s" => number,
            "ms" => number / 1000,
            "m" => number * 60,
            "h" => number * 3600,
            "d" => number * 86400,
            _ => null,
        };
        if (seconds is null || seconds > TimeSpan.MaxValue.TotalSeconds)
            return false;

        value = TimeSpan.FromSeconds(seconds.Value);
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a duration (use e.g. 500ms, 30s, 10m, 1h, 7d)");

    public static string Format(TimeSpan value) =>
        value.TotalMilliseconds % 1000 != 0 ? $"{value.TotalMilliseconds}ms"
        : value.TotalSeconds % 3600 == 0 && value.TotalSeconds > 0 ? $"{value.TotalHours}h"
        : value.TotalSeconds % 60 == 0 && value.TotalSeconds > 0 ? $"{value.TotalMinutes}m"
        : $"{value.TotalSeconds}s";
}
