namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// Decodes libpg_query's <c>ScanResult</c> protobuf (pg_query.proto: <c>ScanResult { int32 version = 1;
/// repeated ScanToken tokens = 2; }</c>, <c>ScanToken { int32 start = 1; int32 end = 2; Token token = 4;
/// KeywordKind keyword_kind = 5; }</c>). Proto3 omits zero values, so absent fields read as 0. Every length
/// is checked against the remaining bytes.
/// </summary>
internal static class ScanResultReader
{
    private const int Varint = 0;
    private const int Fixed64 = 1;
    private const int LengthDelimited = 2;
    private const int Fixed32 = 5;

    public static bool TryRead(ReadOnlySpan<byte> message, List<SqlToken> tokens)
    {
        while (!message.IsEmpty)
        {
            if (!TryReadTag(ref message, out var field, out var wireType))
                return false;
            if (field == 2 && wireType == LengthDelimited)
            {
                if (!TryReadLengthDelimited(ref message, out var token) || !TryReadToken(token, out var parsed))
                    return false;
                tokens.Add(parsed);
            }
            else if (!TrySkip(ref message, wireType))
            {
                return false;
            }
        }
        return true;
    }

    private static bool TryReadToken(ReadOnlySpan<byte> message, out SqlToken token)
    {
        int start = 0, end = 0, kind = 0, keywordKind = 0;
        token = default;
        while (!message.IsEmpty)
        {
            if (!TryReadTag(ref message, out var field, out var wireType))
                return false;
            if (wireType == Varint && field is 1 or 2 or 4 or 5)
            {
                if (!TryReadVarint(ref message, out var value) || value > int.MaxValue)
                    return false;
                switch (field)
                {
                    case 1: start = (int)value; break;
                    case 2: end = (int)value; break;
                    case 4: kind = (int)value; break;
                    default: keywordKind = (int)value; break;
                }
            }
            else if (!TrySkip(ref message, wireType))
            {
                return false;
            }
        }
        if (end < start)
            return false;
        token = new SqlToken(start, end, kind, keywordKind);
        return true;
    }

    private static bool TryReadTag(ref ReadOnlySpan<byte> message, out int field, out int wireType)
    {
        field = wireType = 0;
        if (!TryReadVarint(ref message, out var tag) || tag > int.MaxValue)
            return false;
        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        return field > 0;
    }

    private static bool TryReadVarint(ref ReadOnlySpan<byte> message, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (message.IsEmpty)
                return false;
            var b = message[0];
            message = message[1..];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return true;
        }
        return false;
    }

    private static bool TryReadLengthDelimited(ref ReadOnlySpan<byte> message, out ReadOnlySpan<byte> content)
    {
        content = default;
        if (!TryReadVarint(ref message, out var length) || length > (ulong)message.Length)
            return false;
        content = message[..(int)length];
        message = message[(int)length..];
        return true;
    }

    private static bool TrySkip(ref ReadOnlySpan<byte> message, int wireType)
    {
        switch (wireType)
        {
            case Varint:
                return TryReadVarint(ref message, out _);
            case Fixed64:
                if (message.Length < 8)
                    return false;
                message = message[8..];
                return true;
            case Fixed32:
                if (message.Length < 4)
                    return false;
                message = message[4..];
                return true;
            case LengthDelimited:
                return TryReadLengthDelimited(ref message, out _);
            default:
                return false;
        }
    }
}
