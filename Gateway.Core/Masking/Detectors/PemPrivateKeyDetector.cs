using static Gateway.Core.Masking.AsciiClass;

namespace Gateway.Core.Masking;

/// <summary>
/// PEM private keys (<c>-----BEGIN [RSA |EC |OPENSSH |ENCRYPTED ]PRIVATE KEY-----</c> through the matching END
/// line, or to the end of the value when the key was cut). Certificates and public keys are left alone.
/// Prefilter: the bytes <c>-----BEGIN </c>.
/// </summary>
internal sealed class PemPrivateKeyDetector : Detector
{
    private static ReadOnlySpan<byte> Begin => "-----BEGIN "u8;
    private static ReadOnlySpan<byte> End => "-----END "u8;
    private static ReadOnlySpan<byte> PrivateKey => "PRIVATE KEY-----"u8;
    private static ReadOnlySpan<byte> Dashes => "-----"u8;

    public override string Name => "pem_private_key";

    public override string Description => "PEM private key blocks";

    internal override Triggers Requires => Triggers.Dash | Triggers.Upper;

    internal override int MinLength => 27;

    internal override void Find(ref ValueScan scan)
    {
        var value = scan.Utf8;
        var from = 0;
        while (from < value.Length)
        {
            var begin = value[from..].IndexOf(Begin);
            if (begin < 0)
                return;
            begin += from;
            from = begin + Begin.Length;

            // The label is upper-case words ending in "PRIVATE KEY-----" on the same line.
            var label = from;
            while (label < value.Length && (IsUpper(value[label]) || IsDigit(value[label]) || value[label] == ' ')
                   && label - from < 40 && !value[label..].StartsWith(PrivateKey))
                label++;
            if (!value[label..].StartsWith(PrivateKey))
                continue;

            var bodyStart = label + PrivateKey.Length;
            var end = value.Length;
            var endLine = value[bodyStart..].IndexOf(End);
            if (endLine >= 0)
            {
                var afterEnd = bodyStart + endLine + End.Length;
                var closing = value[afterEnd..].IndexOf(Dashes);
                end = closing < 0 ? value.Length : afterEnd + closing + Dashes.Length;
            }
            scan.Add(begin, end - begin);
            from = end;
        }
    }
}
