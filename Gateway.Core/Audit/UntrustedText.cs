using System.Text;

namespace Gateway.Core.Audit;

/// <summary>
/// Text an untrusted party chose (an unidentified client, an unverified token), made fit for a record, a log or an
/// error message: control characters replaced (a replayed record must not drive the SRE's terminal) and cut to a
/// bound (an unidentified client must not choose a record's size).
/// </summary>
internal static class UntrustedText
{
    public static string? Clean(string? value, int maxChars)
    {
        if (value is null)
            return null;
        var cut = value.Length > maxChars;
        var span = value.AsSpan(0, cut ? maxChars : value.Length);
        if (!cut && !span.ContainsAnyInRange('\u0000', '\u001f') && !span.Contains('\u007f') && !span.ContainsAnyInRange('\u0080', '\u009f'))
            return value;
        var builder = new StringBuilder(span.Length + 1);
        foreach (var c in span)
            builder.Append(char.IsControl(c) ? '?' : c);
        return (cut ? builder.Append('…') : builder).ToString();
    }
}
