using static Gateway.Core.Masking.AsciiClass;

namespace Gateway.Core.Masking;

/// <summary>
/// AWS access key ids: <c>AKIA</c> (long-term) or <c>ASIA</c> (temporary) followed by 16 upper-case letters or
/// digits, as a whole word. Prefilter: the bytes <c>AKIA</c> or <c>ASIA</c>.
/// </summary>
internal sealed class AwsAccessKeyDetector : Detector
{
    private const int Length = 20;

    public override string Name => "aws_access_key";

    public override string Description => "AWS access key ids (AKIA..., ASIA...)";

    internal override Triggers Requires => Triggers.Upper;

    internal override int MinLength => 20;

    internal override void Find(ref ValueScan scan)
    {
        FindPrefix(ref scan, "AKIA"u8);
        FindPrefix(ref scan, "ASIA"u8);
    }

    private static void FindPrefix(ref ValueScan scan, ReadOnlySpan<byte> prefix)
    {
        var value = scan.Utf8;
        var from = 0;
        while (from <= value.Length - Length)
        {
            var start = value[from..].IndexOf(prefix);
            if (start < 0)
                return;
            start += from;
            from = start + prefix.Length;
            if (start + Length > value.Length || !StartsWord(value, start) || !EndsWord(value, start + Length))
                continue;
            var body = value.Slice(start + prefix.Length, Length - prefix.Length);
            if (ContainsOtherThanUpperOrDigit(body))
                continue;
            scan.Add(start, Length);
            from = start + Length;
        }
    }

    private static bool ContainsOtherThanUpperOrDigit(ReadOnlySpan<byte> body)
    {
        foreach (var b in body)
        {
            if (!IsUpper(b) && !IsDigit(b))
                return true;
        }
        return false;
    }
}
