using static Gateway.Core.Masking.AsciiClass;

namespace Gateway.Core.Masking;

/// <summary>
/// Payment card numbers: 13-19 digits, optionally grouped by single spaces or dashes, with a known issuer
/// prefix and length (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay) and a valid Luhn check digit.
/// Prefilter: a digit. Longer digit runs (ids, hashes) are not cards.
/// </summary>
internal sealed class PaymentCardDetector : Detector
{
    private const int MinDigits = 13;
    private const int MaxDigits = 19;

    public override string Name => "payment_card";

    public override string Description => "payment card numbers (issuer prefix, length and Luhn check)";

    internal override Triggers Requires => Triggers.Digit;

    internal override int MinLength => 13;

    internal override void Find(ref ValueScan scan)
    {
        var value = scan.Utf8;
        if (value.Length < MinDigits)
            return;
        Span<byte> digits = stackalloc byte[MaxDigits];
        var from = 0;
        while (from < value.Length)
        {
            var start = value[from..].IndexOfAnyInRange((byte)'0', (byte)'9');
            if (start < 0)
                return;
            start += from;

            var count = 0;
            var i = start;
            var end = start;
            while (i < value.Length)
            {
                var b = value[i];
                if (IsDigit(b))
                {
                    if (count < MaxDigits)
                        digits[count] = (byte)(b - '0');
                    count++;
                    i++;
                    end = i;
                }
                else if ((b == ' ' || b == '-') && i + 1 < value.Length && IsDigit(value[i + 1]) && IsDigit(value[i - 1]))
                {
                    i++;
                }
                else
                {
                    break;
                }
            }
            from = end;

            if (count is < MinDigits or > MaxDigits || !StartsWord(value, start) || !EndsWord(value, end))
                continue;
            var number = digits[..count];
            if (IsKnownIssuer(number) && PassesLuhn(number))
                scan.Add(start, end - start);
        }
    }

    internal static bool PassesLuhn(ReadOnlySpan<byte> digits)
    {
        var sum = 0;
        var doubled = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i];
            if (doubled)
            {
                d *= 2;
                if (d > 9)
                    d -= 9;
            }
            sum += d;
            doubled = !doubled;
        }
        return sum % 10 == 0;
    }

    private static bool IsKnownIssuer(ReadOnlySpan<byte> d)
    {
        var length = d.Length;
        var two = (d[0] * 10) + d[1];
        var three = (two * 10) + d[2];
        var four = (three * 10) + d[3];
        return d[0] switch
        {
            4 => length is 13 or 16 or 19,                                              // Visa
            5 => two is >= 51 and <= 55 && length == 16,                                // Mastercard
            2 => four is >= 2221 and <= 2720 && length == 16,                           // Mastercard 2-series
            3 => (two is 34 or 37 && length == 15)                                      // Amex
                 || (four is >= 3528 and <= 3589 && length is >= 16 and <= 19)         // JCB
                 || ((three is >= 300 and <= 305 || two is 36 or 38 or 39) && length is >= 14 and <= 19), // Diners
            6 => ((four == 6011 || three is >= 644 and <= 649 || two == 65) && length is >= 16 and <= 19) // Discover
                 || (two == 62 && length is >= 16 and <= 19),                           // UnionPay
            _ => false,
        };
    }
}
