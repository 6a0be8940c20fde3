using System.Text.RegularExpressions;
using static Gateway.Core.Masking.AsciiClass;

namespace Gateway.Core.Masking;

/// <summary>
/// Secrets in connection strings: the values of <c>AccountKey=</c>, <c>SharedAccessKey=</c>, <c>Password=</c>
/// and <c>Pwd=</c> (ADO.NET, Azure, ODBC), and the password of a URL's user info (<c>scheme://user:password@host</c>).
/// Prefilters: <c>=</c> before the source-generated key regex, <c>://</c> before the user-info scan.
/// </summary>
internal sealed partial class ConnectionStringDetector : Detector
{
    public override string Name => "connection_string";

    public override string Description => "AccountKey=, SharedAccessKey=, Password=, Pwd= values and URL passwords";

    internal override Triggers Requires => Triggers.None;

    internal override int MinLength => 5;

    /// <summary><c>Key=value</c> needs '='; a URL password needs '@' (each branch checks the rest).</summary>
    internal override Triggers RequiresAny => Triggers.Equals | Triggers.At;

    internal override void Find(ref ValueScan scan)
    {
        var value = scan.Utf8;
        if (value.IndexOf((byte)'=') >= 0)
        {
            foreach (var match in KeyPattern().EnumerateMatches(scan.Latin1))
            {
                if (!StartsWord(value, match.Index) || (match.Index > 0 && value[match.Index - 1] == '_'))
                    continue;
                var (start, length) = AssignedValue.Find(value, match.Index + match.Length);
                scan.Add(start, length);
            }
        }
        if (value.IndexOf("://"u8) >= 0)
            FindUrlPasswords(ref scan);
    }

    private static void FindUrlPasswords(ref ValueScan scan)
    {
        var value = scan.Utf8;
        var from = 0;
        while (from < value.Length)
        {
            var scheme = value[from..].IndexOf("://"u8);
            if (scheme < 0)
                return;
            var userInfo = from + scheme + 3;
            from = userInfo;

            // user info ends at '@' before any '/', '?', '#' or whitespace; the password follows the first ':'.
            var i = userInfo;
            var colon = -1;
            while (i < value.Length && value[i] is not ((byte)'@' or (byte)'/' or (byte)'?' or (byte)'#' or (byte)' ' or (byte)'\t' or (byte)'\n'))
            {
                if (value[i] == ':' && colon < 0)
                    colon = i;
                i++;
            }
            if (i >= value.Length || value[i] != '@' || colon < 0 || colon == i - 1)
                continue;
            scan.Add(colon + 1, i - colon - 1);
            from = i + 1;
        }
    }

    [GeneratedRegex(@"(?:AccountKey|SharedAccessKey|Password|Pwd)[ \t]*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
