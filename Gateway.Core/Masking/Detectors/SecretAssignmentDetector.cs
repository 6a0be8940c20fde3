using System.Text;
using static Gateway.Core.Masking.AsciiClass;

namespace Gateway.Core.Masking;

/// <summary>
/// Generic secret assignments: the value after a key ending in <c>password</c>, <c>passwd</c>, <c>pwd</c>,
/// <c>secret</c>, <c>token</c>, <c>apikey</c>, <c>api_key</c> or <c>api-key</c> (case-insensitive: <c>PGPASSWORD</c>,
/// <c>client_secret</c>, <c>csrf_token</c>) and then <c>=</c> or <c>:</c>, as in query strings, env files, JSON,
/// YAML and logs. Keys that only start with a keyword (<c>password_hint</c>, <c>tokenizer</c>) do not count.
/// The key stays readable.
/// Prefilter: the separators (vectorized <c>IndexOfAny</c>); each is checked by looking back at its key.
/// </summary>
internal sealed class SecretAssignmentDetector : Detector
{
    private const int MaxKey = 64;

    private static readonly byte[][] Keywords =
    [
        "password"u8.ToArray(), "passwd"u8.ToArray(), "pwd"u8.ToArray(), "secret"u8.ToArray(), "token"u8.ToArray(),
        "apikey"u8.ToArray(), "api_key"u8.ToArray(), "api-key"u8.ToArray(),
    ];

    public override string Name => "secret_assignment";

    public override string Description => "password=, secret=, token=, api_key= ... assignments";

    internal override Triggers Requires => Triggers.None;

    internal override int MinLength => 4;

    internal override Triggers RequiresAny => Triggers.Equals | Triggers.Colon;

    internal override void Find(ref ValueScan scan)
    {
        var value = scan.Utf8;
        var from = 0;
        while (from < value.Length)
        {
            var separator = value[from..].IndexOfAny((byte)'=', (byte)':');
            if (separator < 0)
                return;
            separator += from;
            from = separator + 1;
            if (!HasSecretKey(value, separator))
                continue;
            var (start, length) = AssignedValue.Find(value, separator + 1);
            if (length == 0)
                continue;
            scan.Add(start, length);
            from = start + length;
        }
    }

    /// <summary>Looks back from the separator over spaces and one quote to the key, and checks how it ends.</summary>
    private static bool HasSecretKey(ReadOnlySpan<byte> value, int separator)
    {
        var end = separator;
        while (end > 0 && value[end - 1] is (byte)' ' or (byte)'\t')
            end--;
        if (end > 0 && value[end - 1] is (byte)'"' or (byte)'\'')
            end--;
        var start = end;
        while (start > 0 && end - start < MaxKey && IsKeyByte(value[start - 1]))
            start--;
        var key = value[start..end];

        foreach (var keyword in Keywords)
        {
            if (key.Length >= keyword.Length && Ascii.EqualsIgnoreCase(key[^keyword.Length..], keyword))
                return true;
        }
        return false;
    }

    private static bool IsKeyByte(byte b) => IsLetterOrDigit(b) || b is (byte)'_' or (byte)'-' or (byte)'.';
}
