using System.Text.RegularExpressions;

namespace Gateway.Core.Masking;

/// <summary>
/// JSON Web Tokens: three base64url segments whose header starts <c>eyJ</c> (base64 of <c>{"</c>).
/// Prefilter: the bytes <c>eyJ</c>; then a source-generated regex.
/// </summary>
internal sealed partial class JwtDetector : Detector
{
    public override string Name => "jwt";

    public override string Description => "JSON Web Tokens (eyJ....)";

    internal override Triggers Requires => Triggers.Dot | Triggers.Upper;

    internal override int MinLength => 16;

    internal override void Find(ref ValueScan scan)
    {
        if (scan.Utf8.IndexOf("eyJ"u8) < 0)
            return;
        foreach (var match in Pattern().EnumerateMatches(scan.Latin1))
            scan.Add(match.Index, match.Length);
    }

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{7,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
