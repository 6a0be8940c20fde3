using static Gateway.Core.Masking.AsciiClass;

namespace Gateway.Core.Masking;

/// <summary>
/// E-mail addresses: <c>local@label.label.tld</c> (the domain in ASCII or punycode) with an alphabetic top-level label of 2-24 letters.
/// Prefilter: the '@' byte. <c>user@localhost</c>, <c>@handle</c> and <c>10.0.0.1</c>-style domains are not addresses.
/// </summary>
internal sealed class EmailDetector : Detector
{
    private const int MaxLocalPart = 64;
    private const int MaxDomain = 253;

    public override string Name => "email";

    public override string Description => "e-mail addresses";

    internal override Triggers Requires => Triggers.At | Triggers.Dot;

    internal override int MinLength => 6;

    internal override void Find(ref ValueScan scan)
    {
        var value = scan.Utf8;
        var from = 0;
        while (from < value.Length)
        {
            var at = value[from..].IndexOf((byte)'@');
            if (at < 0)
                return;
            at += from;
            from = at + 1;

            var start = at;
            while (start > 0 && at - start < MaxLocalPart && IsLocalPartByte(value[start - 1]))
                start--;
            while (start < at && value[start] == '.')
                start++;
            if (start == at)
                continue;

            var end = DomainEnd(value, at + 1);
            if (end < 0)
                continue;
            scan.Add(start, end - start);
            from = end;
        }
    }

    /// <summary>Non-ASCII bytes count too (internationalised addresses), so a name like jörg is masked whole.</summary>
    private static bool IsLocalPartByte(byte b) =>
        IsLetterOrDigit(b) || b >= 0x80 || b is (byte)'.' or (byte)'_' or (byte)'%' or (byte)'+' or (byte)'-';

    /// <summary>Returns the end of a valid domain starting at <paramref name="start"/>, or -1.</summary>
    private static int DomainEnd(ReadOnlySpan<byte> value, int start)
    {
        var i = start;
        var labels = 0;
        var lastLabelStart = start;
        var lastLabelEnd = start;
        while (i < value.Length && i - start < MaxDomain)
        {
            var labelStart = i;
            while (i < value.Length && (IsLetterOrDigit(value[i]) || value[i] == '-'))
                i++;
            if (i == labelStart || value[labelStart] == '-' || value[i - 1] == '-')
                break;
            labels++;
            lastLabelStart = labelStart;
            lastLabelEnd = i;
            if (i + 1 < value.Length && value[i] == '.' && IsLetterOrDigit(value[i + 1]))
                i++;
            else
                break;
        }
        if (labels < 2)
            return -1;

        var tld = value[lastLabelStart..lastLabelEnd];
        if (tld.Length is < 2 or > 24)
            return -1;
        foreach (var b in tld)
        {
            if (!IsLetter(b))
                return -1;
        }
        return lastLabelEnd;
    }
}
