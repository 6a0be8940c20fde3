using System.Text.RegularExpressions;

namespace Gateway.Core.Masking;

/// <summary>
/// AWS secret access keys in an assignment (<c>aws_secret_access_key = ...</c>, <c>AWS_SECRET_ACCESS_KEY=...</c>,
/// <c>"SecretAccessKey": "..."</c>): the 40-character value is masked. Prefilter: <c>=</c> or <c>:</c> in a value
/// long enough to hold a key; then a source-generated regex.
/// </summary>
internal sealed partial class AwsSecretKeyDetector : Detector
{
    private const int KeyLength = 40;

    public override string Name => "aws_secret_key";

    public override string Description => "AWS secret access keys assigned to aws_secret_access_key / SecretAccessKey";

    internal override Triggers Requires => Triggers.None;

    internal override int MinLength => 50;

    internal override Triggers RequiresAny => Triggers.Equals | Triggers.Colon;

    internal override void Find(ref ValueScan scan)
    {
        if (scan.Utf8.Length < KeyLength + 10 || scan.Utf8.IndexOfAny((byte)'=', (byte)':') < 0)
            return;
        foreach (var match in Pattern().EnumerateMatches(scan.Latin1))
            scan.Add(match.Index + match.Length - KeyLength, KeyLength);
    }

    [GeneratedRegex(@"(?:aws_?)?secret_?access_?key[""']?[ \t]*[:=][ \t]*[""']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
