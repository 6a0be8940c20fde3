using static Gateway.Core.Masking.AsciiClass;

namespace Gateway.Core.Masking;

/// <summary>
/// GitHub tokens: <c>ghp_</c>, <c>gho_</c>, <c>ghu_</c>, <c>ghs_</c>, <c>ghr_</c> followed by at least 36 letters or
/// digits, and fine-grained <c>github_pat_</c> tokens (at least 22 letters, digits or underscores).
/// Prefilters: the bytes <c>gh</c> and <c>github_pat_</c>.
/// </summary>
internal sealed class GitHubTokenDetector : Detector
{
    private const int ClassicBody = 36;
    private const int FineGrainedBody = 22;
    private static ReadOnlySpan<byte> ClassicStem => "gh"u8;
    private static ReadOnlySpan<byte> FineGrainedPrefix => "github_pat_"u8;

    public override string Name => "github_token";

    public override string Description => "GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)";

    internal override Triggers Requires => Triggers.Underscore;

    internal override int MinLength => 33;

    internal override void Find(ref ValueScan scan)
    {
        FindClassic(ref scan);
        FindFineGrained(ref scan);
    }

    private static void FindClassic(ref ValueScan scan)
    {
        var value = scan.Utf8;
        var from = 0;
        while (from < value.Length)
        {
            var start = value[from..].IndexOf(ClassicStem);
            if (start < 0)
                return;
            start += from;
            from = start + ClassicStem.Length;
            if (!IsTokenStart(value, start) || start + 4 > value.Length
                || value[start + 2] is not ((byte)'p' or (byte)'o' or (byte)'u' or (byte)'s' or (byte)'r')
                || value[start + 3] != '_')
                continue;
            var body = Run(value, start + 4, IsLetterOrDigit);
            if (body < ClassicBody)
                continue;
            scan.Add(start, 4 + body);
            from = start + 4 + body;
        }
    }

    private static void FindFineGrained(ref ValueScan scan)
    {
        var value = scan.Utf8;
        var from = 0;
        while (from < value.Length)
        {
            var start = value[from..].IndexOf(FineGrainedPrefix);
            if (start < 0)
                return;
            start += from;
            from = start + FineGrainedPrefix.Length;
            if (!IsTokenStart(value, start))
                continue;
            var body = Run(value, from, b => IsLetterOrDigit(b) || b == '_');
            if (body < FineGrainedBody)
                continue;
            scan.Add(start, FineGrainedPrefix.Length + body);
            from += body;
        }
    }

    private static bool IsTokenStart(ReadOnlySpan<byte> value, int start) =>
        StartsWord(value, start) && (start == 0 || value[start - 1] != '_');
}
