namespace Gateway.Core.Masking;

/// <summary>
/// Finds the value after a <c>key=</c> or <c>key:</c> separator: quoted (up to the closing quote) or bare (up
/// to whitespace or a delimiter of the usual carriers: query strings, connection strings, JSON, YAML).
/// </summary>
internal static class AssignedValue
{
    /// <summary>Returns the value's start and length after <paramref name="afterSeparator"/>; length 0 when there is none.</summary>
    public static (int Start, int Length) Find(ReadOnlySpan<byte> value, int afterSeparator)
    {
        var i = afterSeparator;
        while (i < value.Length && value[i] is (byte)' ' or (byte)'\t')
            i++;
        if (i >= value.Length)
            return (i, 0);

        var quote = value[i];
        if (quote is (byte)'"' or (byte)'\'')
        {
            var close = value[(i + 1)..].IndexOf(quote);
            var length = close < 0 ? value.Length - i - 1 : close;
            return (i + 1, length);
        }

        var start = i;
        while (i < value.Length && !IsDelimiter(value[i]))
            i++;
        return (start, i - start);
    }

    private static bool IsDelimiter(byte b) =>
        b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)';' or (byte)',' or (byte)'&'
            or (byte)'"' or (byte)'\'' or (byte)'}' or (byte)')' or (byte)']' or (byte)'<' or (byte)'>';
}
