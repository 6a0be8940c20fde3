using System.Text.RegularExpressions;
using static Gateway.Core.Masking.AsciiClass;

namespace Gateway.Core.Masking;

/// <summary>
/// Generic secret assignments: the value after <c>password</c>, <c>passwd</c>, <c>pwd</c>, <c>secret</c>,
/// <c>client_secret</c>, <c>api_key</c>, <c>apikey</c>, <c>access_token</c>, <c>auth_token</c> or <c>token</c>
/// followed by <c>=</c> or <c>:</c> (query strings, env files, JSON, YAML, logs). The key stays readable.
/// Prefilter: <c>=</c> or <c>:</c>; then a source-generated regex.
/// </summary>
internal sealed partial class SecretAssignmentDetector : Detector
{
    public override string Name => "secret_assignment";

    public override string Description => "password=, secret=, token=, api_key= ... assignments";

    internal override void Find(ref ValueScan scan)
    {
        var value = scan.Utf8;
        if (value.IndexOfAny((byte)'=', (byte)':') < 0)
            return;
        foreach (var match in Pattern().EnumerateMatches(scan.Latin1))
        {
            // A key continues no longer word: "password_hint=" and "mypassword=" are not password assignments;
            // "db_password=" and "csrf_token=" are (underscore before the key is allowed).
            if (!StartsWord(value, match.Index))
                continue;
            var (start, length) = AssignedValue.Find(value, match.Index + match.Length);
            scan.Add(start, length);
        }
    }

    [GeneratedRegex(@"(?:client_secret|access_token|auth_token|api_?key|password|passwd|secret|token|pwd)[""']?[ \t]*[:=]",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
