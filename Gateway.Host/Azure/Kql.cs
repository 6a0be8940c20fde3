using System.Globalization;
using System.Text;

namespace Gateway.Host.Azure;

/// <summary>Literals for KQL text built from values (a session id typed by a person is data, not query).</summary>
public static class Kql
{
    /// <summary>A double-quoted KQL string literal; backslash and quote escaped, control characters refused.</summary>
    /// <exception cref="ArgumentException">The value contains a control character.</exception>
    public static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (char.IsControl(c))
                throw new ArgumentException("a KQL string value must not contain control characters", nameof(value));
            if (c is '"' or '\\')
                text.Append('\\');
            text.Append(c);
        }
        return text.Append('"').ToString();
    }

    public static string DateTime(DateTimeOffset value) =>
        $"datetime({value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture)})";

    public static string Long(long value) => value.ToString(CultureInfo.InvariantCulture);
}
