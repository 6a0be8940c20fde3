using System.Text;

namespace Gateway.Protocols.Postgres.Auth;

/// <summary>
/// SASLprep (RFC 4013) of a password the way PostgreSQL's <c>pg_saslprep</c> applies it, so the proof we
/// compute matches the verifier the server stored:
/// <list type="bullet">
/// <item>pure ASCII is used unchanged (PostgreSQL's fast path; this covers nearly every real password);</item>
/// <item>otherwise non-ASCII spaces (RFC 3454 C.1.2) map to U+0020, "mapped to nothing" characters (B.1) are
/// removed, the result is NFKC-normalised, and if a prohibited character (C.2–C.9) remains the original
/// password is used as is — PostgreSQL falls back to the raw bytes in that case too.</item>
/// </list>
/// Limits: the bidi (D.1/D.2) and unassigned-code-point (A.1) checks are not implemented, and the gateway
/// runs with invariant globalization where <see cref="string.Normalize(NormalizationForm)"/> leaves text
/// unchanged, so a non-ASCII password must already be in NFKC form (most are).
/// </summary>
public static class SaslPrep
{
    public static string Prepare(string password)
    {
        if (Ascii.IsValid(password))
            return password;

        var mapped = new StringBuilder(password.Length);
        foreach (var rune in password.EnumerateRunes())
        {
            if (IsNonAsciiSpace(rune.Value))
                mapped.Append(' ');
            else if (!IsMappedToNothing(rune.Value))
                mapped.Append(rune.ToString());
        }

        var normalized = mapped.ToString().Normalize(NormalizationForm.FormKC);
        foreach (var rune in normalized.EnumerateRunes())
        {
            if (IsProhibited(rune.Value))
                return password;
        }
        // A lone surrogate enumerates as U+FFFD, which C.6 prohibits, so it also falls back to the raw password.
        return normalized;
    }

    // RFC 3454 C.1.2
    private static bool IsNonAsciiSpace(int c) =>
        c is 0x00A0 or 0x1680 or (>= 0x2000 and <= 0x200B) or 0x202F or 0x205F or 0x3000;

    // RFC 3454 B.1
    private static bool IsMappedToNothing(int c) =>
        c is 0x00AD or 0x034F or 0x1806 or (>= 0x180B and <= 0x180D) or (>= 0x200B and <= 0x200D)
            or 0x2060 or (>= 0xFE00 and <= 0xFE0F) or 0xFEFF;

    // RFC 3454 C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9 (RFC 4013 section 2.3)
    private static bool IsProhibited(int c) =>
        IsNonAsciiSpace(c)
        || c is < 0x20 or 0x7F // C.2.1
        || c is (>= 0x80 and <= 0x9F) or 0x06DD or 0x070F or 0x180E or 0x200C or 0x200D or 0x2028 or 0x2029
            or (>= 0x2060 and <= 0x2063) or (>= 0x206A and <= 0x206F) or 0xFEFF or (>= 0xFFF9 and <= 0xFFFC)
            or (>= 0x1D173 and <= 0x1D17A) // C.2.2
        || c is (>= 0xE000 and <= 0xF8FF) or (>= 0xF0000 and <= 0xFFFFD) or (>= 0x100000 and <= 0x10FFFD) // C.3
        || c is (>= 0xFDD0 and <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE // C.4
        || c is (>= 0xD800 and <= 0xDFFF) // C.5
        || c is (>= 0xFFF9 and <= 0xFFFD) // C.6
        || c is (>= 0x2FF0 and <= 0x2FFB) // C.7
        || c is 0x0340 or 0x0341 or 0x200E or 0x200F or (>= 0x202A and <= 0x202E) // C.8
        || c is 0xE0001 or (>= 0xE0020 and <= 0xE007F); // C.9
}
