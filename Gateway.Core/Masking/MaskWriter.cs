using System.Buffers;
using System.Security.Cryptography;

namespace Gateway.Core.Masking;

/// <summary>Writes masked output for each <see cref="MaskStrategy"/>.</summary>
internal static class MaskWriter
{
    private const int KeptCharacters = 4;
    private const int MinCharactersForPartial = 8;
    private const int PseudonymBytes = 16;

    private static ReadOnlySpan<byte> Stars => "****"u8;
    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    public static void WriteWhole(ReadOnlySpan<byte> value, MaskStrategy strategy, MaskingKey? key, IBufferWriter<byte> destination)
    {
        switch (strategy)
        {
            case MaskStrategy.Partial:
                WritePartial(value, destination);
                break;
            case MaskStrategy.Hash:
                WritePseudonym(value, key, destination);
                break;
            default:
                // Redact, and Null when the protocol asked for text anyway: never the original.
                destination.Write(Stars);
                break;
        }
    }

    public static void WriteWithHits(ReadOnlySpan<byte> value, ReadOnlySpan<DetectorHit> hits, MaskingKey? key, IBufferWriter<byte> destination)
    {
        var position = 0;
        foreach (var hit in hits)
        {
            destination.Write(value[position..hit.Start]);
            WriteWhole(value.Slice(hit.Start, hit.Length), hit.Strategy, key, destination);
            position = hit.End;
        }
        destination.Write(value[position..]);
    }

    private static void WritePartial(ReadOnlySpan<byte> value, IBufferWriter<byte> destination)
    {
        // Count UTF-8 code points from the end: continuation bytes are 10xxxxxx.
        var characters = 0;
        var keptFrom = value.Length;
        for (var i = value.Length - 1; i >= 0; i--)
        {
            if ((value[i] & 0xC0) == 0x80)
                continue;
            characters++;
            if (characters == KeptCharacters)
                keptFrom = i;
            if (characters >= MinCharactersForPartial)
                break;
        }
        destination.Write(Stars);
        if (characters >= MinCharactersForPartial)
            destination.Write(value[keptFrom..]);
    }

    private static void WritePseudonym(ReadOnlySpan<byte> value, MaskingKey? key, IBufferWriter<byte> destination)
    {
        if (key is null)
        {
            // MaskingPlan refuses hash without a key; this keeps the invariant even if that check were bypassed.
            destination.Write(Stars);
            return;
        }
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key.Bytes, value, mac);
        var output = destination.GetSpan(PseudonymBytes * 2);
        for (var i = 0; i < PseudonymBytes; i++)
        {
            output[2 * i] = HexDigits[mac[i] >> 4];
            output[(2 * i) + 1] = HexDigits[mac[i] & 0xF];
        }
        destination.Advance(PseudonymBytes * 2);
    }
}
