namespace Gateway.Core.Masking;

/// <summary>
/// Azure shared access signatures: the value of a <c>sig=</c> query parameter (URL-encoded base64 of an
/// HMAC, at least 20 characters) after <c>?</c>, <c>&amp;</c>, a quote, whitespace or the start. Prefilter: the
/// bytes <c>sig=</c>. The rest of the SAS (expiry, permissions) is not secret and stays readable.
/// </summary>
internal sealed class SasTokenDetector : Detector
{
    private const int MinSignature = 20;
    private static ReadOnlySpan<byte> Sig => "sig="u8;

    public override string Name => "sas_token";

    public override string Description => "Azure SAS signatures (sig=...)";

    internal override Triggers Requires => Triggers.Equals;

    internal override int MinLength => 24;

    internal override void Find(ref ValueScan scan)
    {
        var value = scan.Utf8;
        var from = 0;
        while (from < value.Length)
        {
            var at = value[from..].IndexOf(Sig);
            if (at < 0)
                return;
            at += from;
            from = at + Sig.Length;
            if (at > 0 && value[at - 1] is not ((byte)'?' or (byte)'&' or (byte)'"' or (byte)'\'' or (byte)' ' or (byte)'\t' or (byte)';'))
                continue;

            var end = from;
            while (end < value.Length && IsSignatureByte(value[end]))
                end++;
            if (end - from < MinSignature)
                continue;
            scan.Add(from, end - from);
            from = end;
        }
    }

    private static bool IsSignatureByte(byte b) => AsciiClass.IsBase64(b) || b is (byte)'%' or (byte)'=';
}
