using static Gateway.Core.Masking.AsciiClass;

namespace Gateway.Core.Masking;

/// <summary>
/// Azure storage account keys: 64 random bytes in base64, i.e. 86 base64 characters and <c>==</c>, standing
/// alone. Prefilter: the bytes <c>==</c>. Any other base64 of exactly 64 bytes (a SHA-512 digest) looks the same
/// and is masked too; that errs on the safe side.
/// </summary>
internal sealed class AzureStorageKeyDetector : Detector
{
    private const int Body = 86;

    public override string Name => "azure_storage_key";

    public override string Description => "Azure storage account keys (88-character base64)";

    internal override Triggers Requires => Triggers.Equals;

    internal override int MinLength => 88;

    internal override void Find(ref ValueScan scan)
    {
        var value = scan.Utf8;
        if (value.Length < Body + 2)
            return;
        var from = Body;
        while (from < value.Length)
        {
            var padding = value[from..].IndexOf("=="u8);
            if (padding < 0)
                return;
            padding += from;
            from = padding + 2;

            var start = padding - Body;
            if (start < 0 || (start > 0 && IsBase64(value[start - 1])))
                continue;
            if (from < value.Length && (IsBase64(value[from]) || value[from] == '='))
                continue;
            if (value.Slice(start, Body).IndexOfAnyExcept(Base64Bytes) >= 0)
                continue;
            scan.Add(start, Body + 2);
        }
    }

    private static readonly System.Buffers.SearchValues<byte> Base64Bytes =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8);
}
