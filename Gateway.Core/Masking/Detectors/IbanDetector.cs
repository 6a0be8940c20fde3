using System.Collections.Frozen;
using static Gateway.Core.Masking.AsciiClass;

namespace Gateway.Core.Masking;

/// <summary>
/// International bank account numbers: a registered country code, the country's exact length, upper-case
/// letters and digits optionally grouped by single spaces, and a valid ISO 7064 mod-97 check.
/// Prefilter: a digit, then an upper-case letter pair followed by two digits.
/// </summary>
internal sealed class IbanDetector : Detector
{
    private const int MaxLength = 34;

    /// <summary>IBAN length by country (ISO 13616 registry).</summary>
    private static readonly FrozenDictionary<int, int> LengthByCountry = new Dictionary<string, int>
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22,
        ["BH"] = 22, ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22,
        ["DK"] = 18, ["DO"] = 28, ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18, ["FO"] = 18, ["FR"] = 27,
        ["GB"] = 22, ["GE"] = 22, ["GI"] = 23, ["GL"] = 18, ["GR"] = 27, ["GT"] = 28, ["HR"] = 21, ["HU"] = 28,
        ["IE"] = 22, ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26, ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20,
        ["LB"] = 28, ["LC"] = 32, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20, ["LV"] = 21, ["MC"] = 27, ["MD"] = 24,
        ["ME"] = 22, ["MK"] = 19, ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NL"] = 18, ["NO"] = 15, ["PK"] = 24,
        ["PL"] = 28, ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["SA"] = 24, ["SC"] = 31,
        ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["ST"] = 25, ["SV"] = 28, ["TL"] = 23, ["TN"] = 24,
        ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20,
    }.ToFrozenDictionary(pair => (pair.Key[0] << 8) | pair.Key[1], pair => pair.Value);

    public override string Name => "iban";

    public override string Description => "IBANs (country length and mod-97 check)";

    internal override Triggers Requires => Triggers.Digit | Triggers.Upper;

    internal override int MinLength => 15; // Norway

    internal override void Find(ref ValueScan scan)
    {
        var value = scan.Utf8;
        if (value.Length < MinLength || value.IndexOfAnyInRange((byte)'0', (byte)'9') < 0)
            return;

        Span<byte> compact = stackalloc byte[MaxLength];
        var from = 0;
        while (from <= value.Length - MinLength)
        {
            var i = value[from..].IndexOfAnyInRange((byte)'A', (byte)'Z');
            if (i < 0)
                return;
            i += from;
            from = i + 1;
            if (i + 4 > value.Length || !IsUpper(value[i + 1]) || !IsDigit(value[i + 2]) || !IsDigit(value[i + 3])
                || !StartsWord(value, i)
                || !LengthByCountry.TryGetValue((value[i] << 8) | value[i + 1], out var length))
                continue;

            var end = Collect(value, i, length, compact);
            if (end < 0 || !EndsWord(value, end) || !PassesMod97(compact[..length]))
                continue;
            scan.Add(i, end - i);
            from = end;
        }
    }

    /// <summary>Copies exactly <paramref name="length"/> IBAN characters (skipping single group spaces); returns the end offset or -1.</summary>
    private static int Collect(ReadOnlySpan<byte> value, int start, int length, Span<byte> compact)
    {
        var count = 0;
        var i = start;
        while (count < length && i < value.Length)
        {
            var b = value[i];
            if (IsUpper(b) || IsDigit(b))
            {
                compact[count++] = b;
                i++;
            }
            else if (b == ' ' && count > 0 && i + 1 < value.Length && (IsUpper(value[i + 1]) || IsDigit(value[i + 1])))
            {
                i++;
            }
            else
            {
                return -1;
            }
        }
        return count == length ? i : -1;
    }

    /// <summary>ISO 7064 MOD 97-10: move the first four characters to the end, letters as 10..35, remainder must be 1.</summary>
    internal static bool PassesMod97(ReadOnlySpan<byte> iban)
    {
        var remainder = 0;
        for (var k = 0; k < iban.Length; k++)
        {
            var b = iban[(k + 4) % iban.Length];
            remainder = IsDigit(b)
                ? ((remainder * 10) + (b - '0')) % 97
                : ((remainder * 100) + (b - 'A' + 10)) % 97;
        }
        return remainder == 1;
    }
}
