namespace Gateway.Core.Masking;

/// <summary>Byte classes the hand-written detectors share.</summary>
internal static class AsciiClass
{
    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    public static bool IsUpper(byte b) => (uint)(b - 'A') <= 'Z' - 'A';

    public static bool IsLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    public static bool IsLetterOrDigit(byte b) => IsLetter(b) || IsDigit(b);

    /// <summary>Characters of standard base64 without padding.</summary>
    public static bool IsBase64(byte b) => IsLetterOrDigit(b) || b == '+' || b == '/';

    /// <summary>True when the byte before <paramref name="index"/> does not continue a word of letters and digits.</summary>
    public static bool StartsWord(ReadOnlySpan<byte> value, int index) => index == 0 || !IsLetterOrDigit(value[index - 1]);

    /// <summary>True when the byte at <paramref name="index"/> does not continue a word of letters and digits.</summary>
    public static bool EndsWord(ReadOnlySpan<byte> value, int index) => index >= value.Length || !IsLetterOrDigit(value[index]);

    /// <summary>Counts bytes from <paramref name="start"/> while <paramref name="accept"/> holds, up to <paramref name="max"/>.</summary>
    public static int Run(ReadOnlySpan<byte> value, int start, Func<byte, bool> accept, int max = int.MaxValue)
    {
        var i = start;
        while (i < value.Length && i - start < max && accept(value[i]))
            i++;
        return i - start;
    }
}
