using System.Buffers;

namespace Gateway.Core.Masking;

/// <summary>
/// Byte classes a detector needs before it can possibly match. One pass over a value finds which are
/// present, and only detectors whose triggers are all there run: a plain word, number or timestamp passes
/// fourteen detectors for the price of one scan.
/// </summary>
[Flags]
internal enum Triggers : byte
{
    None = 0,
    At = 1,
    Dot = 2,
    Digit = 4,
    Upper = 8,
    Dash = 16,
    Equals = 32,
    Colon = 64,
    Underscore = 128,
}

internal static class TriggerScan
{
    /// <summary>Below this length a table lookup per byte beats eight vectorized passes.</summary>
    private const int VectorThreshold = 64;

    private static readonly Triggers[] Table = BuildTable();

    private static readonly (SearchValues<byte> Bytes, Triggers Trigger)[] Classes =
    [
        (SearchValues.Create("@"u8), Triggers.At),
        (SearchValues.Create("."u8), Triggers.Dot),
        (SearchValues.Create("0123456789"u8), Triggers.Digit),
        (SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ"u8), Triggers.Upper),
        (SearchValues.Create("-"u8), Triggers.Dash),
        (SearchValues.Create("="u8), Triggers.Equals),
        (SearchValues.Create(":"u8), Triggers.Colon),
        (SearchValues.Create("_"u8), Triggers.Underscore),
    ];

    public static Triggers Of(ReadOnlySpan<byte> value)
    {
        var present = Triggers.None;
        if (value.Length < VectorThreshold)
        {
            foreach (var b in value)
                present |= Table[b];
            return present;
        }
        foreach (var (bytes, trigger) in Classes)
        {
            if (value.ContainsAny(bytes))
                present |= trigger;
        }
        return present;
    }

    private static Triggers[] BuildTable()
    {
        var table = new Triggers[256];
        table['@'] = Triggers.At;
        table['.'] = Triggers.Dot;
        for (var c = '0'; c <= '9'; c++)
            table[c] = Triggers.Digit;
        for (var c = 'A'; c <= 'Z'; c++)
            table[c] = Triggers.Upper;
        table['-'] = Triggers.Dash;
        table['='] = Triggers.Equals;
        table[':'] = Triggers.Colon;
        table['_'] = Triggers.Underscore;
        return table;
    }
}
