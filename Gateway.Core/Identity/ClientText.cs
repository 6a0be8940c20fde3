using System.Text;

namespace Gateway.Core.Identity;

/// <summary>
/// Puts a value taken from an unverified token into a refusal reason: bounded and without control
/// characters, because the reason travels back to the client in a protocol error and into logs.
/// </summary>
internal static class ClientText
{
    private const int MaxChars = 80;

    public static string Quote(string? value)
    {
        if (value is null)
            return "(none)";
        var builder = new StringBuilder(Math.Min(value.Length, MaxChars) + 3).Append('\'');
        foreach (var c in value.AsSpan(0, Math.Min(value.Length, MaxChars)))
            builder.Append(char.IsControl(c) ? '?' : c);
        if (value.Length > MaxChars)
            builder.Append('…');
        return builder.Append('\'').ToString();
    }

    public static string QuoteAll(IEnumerable<string> values) => string.Join(", ", values.Take(5).Select(Quote));
}
