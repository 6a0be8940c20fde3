using static Gateway.Core.Masking.AsciiClass;

namespace Gateway.Core.Masking;

/// <summary>
/// GitHub tokens: <c>ghp_</c>, <c>gho_</c>, <c>ghu_</c>, <c>ghs_</c>, <c>ghr_</c> followed by at least 36 letters or
/// digits, and fine-grained <c>github_pat_</c> tokens (at least 22 letters, digits or underscores).
/// Prefilter: the bytes <c>gh</c>.
/// </summary>
internal sealed class GitHubTokenDetector : Detector
{
    private const int ClassicBody = 36;
    private const int FineGrainedBody = 22;
    private static ReadOnlySpan<byte> FineGrainedPrefix => "github_pat_"u8;

    public override string Name => "github_token";

    public override string Description => "GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)";

    internal override void Find(ref ValueScan scan)
    {
        var value = scan.Utf8;
        var from = 0;
        while (from < value.Length)
        {
            var start = value[from..].IndexOf("gh"u8);
            if (start < 0)
                return;
            start += from;
            from = start + 2;
            if (!StartsWord(value, start) || (start > 0 && value[start - 1] == '_'))
                continue;

            int end;
            if (start + 4 <= value.Length && value[start + 2] is (byte)'p' or (byte)'o' or (byte)'u' or (byte)'s' or (byte)'r'
                && value[start + 3] == '_')
            {
                var body = AsciiClass.Run(value, start + 4, IsLetterOrDigit);
                if (body < ClassicBody)
                    continue;
                end = start + 4 + body;
            }
            else if (value[start..].StartsWith(FineGrainedPrefix))
            {
                var bodyStart = start + FineGrainedPrefix.Length;
                var body = AsciiClass.Run(value, bodyStart, b => IsLetterOrDigit(b) || b == '_');
                if (body < FineGrainedBody)
                    continue;
                end = bodyStart + body;
            }
            else
            {
                continue;
            }
            scan.Add(start, end - start);
            from = end;
        }
    }
}
