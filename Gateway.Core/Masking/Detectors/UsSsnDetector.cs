using static Gateway.Core.Masking.AsciiClass;

namespace Gateway.Core.Masking;

/// <summary>
/// US social security numbers written <c>AAA-GG-SSSS</c>, excluding numbers never issued (area 000, 666 or
/// 9xx, group 00, serial 0000). Prefilter: a dash. Bare nine-digit runs are not matched: they are mostly ids.
/// </summary>
internal sealed class UsSsnDetector : Detector
{
    public override string Name => "us_ssn";

    public override string Description => "US social security numbers in AAA-GG-SSSS form";

    internal override Triggers Requires => Triggers.Digit | Triggers.Dash;

    internal override int MinLength => 11;

    internal override void Find(ref ValueScan scan)
    {
        var value = scan.Utf8;
        if (value.Length < 11)
            return;
        var from = 3;
        while (from < value.Length)
        {
            var dash = value[from..].IndexOf((byte)'-');
            if (dash < 0)
                return;
            dash += from;
            from = dash + 1;

            var start = dash - 3;
            if (start < 0 || dash + 8 > value.Length || value[dash + 3] != '-')
                continue;
            if (!Digits(value.Slice(start, 3)) || !Digits(value.Slice(dash + 1, 2)) || !Digits(value.Slice(dash + 4, 4)))
                continue;
            if (start > 0 && (IsLetterOrDigit(value[start - 1]) || value[start - 1] == '-'))
                continue;
            var end = dash + 8;
            if (end < value.Length && (IsLetterOrDigit(value[end]) || value[end] == '-'))
                continue;

            var area = Number(value.Slice(start, 3));
            var group = Number(value.Slice(dash + 1, 2));
            var serial = Number(value.Slice(dash + 4, 4));
            if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0)
                continue;
            scan.Add(start, end - start);
            from = end;
        }
    }

    private static bool Digits(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
        {
            if (!IsDigit(b))
                return false;
        }
        return true;
    }

    private static int Number(ReadOnlySpan<byte> digits)
    {
        var n = 0;
        foreach (var b in digits)
            n = (n * 10) + (b - '0');
        return n;
    }
}
