using System.Text.Json;

namespace Gateway.Core.FrameLog;

/// <summary>
/// The line layout of a frame-log segment. A line is the record's canonical JSON (columns in the fixed order
/// below, null columns omitted, no whitespace) with <c>Hash</c> appended as the last member:
/// <code>{"TimeGenerated":"...","Seq":7,...,"Truncated":false,"Hash":"&lt;64 hex&gt;"}\n</code>
/// Because <c>Hash</c> is always last and fixed-width, the hashed bytes (the canonical JSON without
/// <c>Hash</c>) are recovered from a stored line without re-serialising it: the verifier hashes exactly the
/// bytes on disk. Reading uses the source-generated <see cref="FrameLogJsonContext"/>.
/// </summary>
public static class FrameRecordJson
{
    public const int HashHexLength = 64;

    /// <summary><c>,"Hash":"</c> + 64 hex + <c>"}</c>.</summary>
    public const int HashSuffixLength = 9 + HashHexLength + 2;

    private static ReadOnlySpan<byte> HashMemberStart => ",\"Hash\":\""u8;

    /// <summary>Writes the canonical JSON of <paramref name="record"/> without <c>Hash</c>.</summary>
    public static void WriteCanonical(Utf8JsonWriter writer, FrameRecord record)
    {
        writer.WriteStartObject();
        writer.WriteString("TimeGenerated"u8, record.TimeGenerated.UtcDateTime);
        writer.WriteNumber("Seq"u8, record.Seq);
        writer.WriteString("PrevHash"u8, record.PrevHash);
        writer.WriteString("Node"u8, record.Node);
        WriteOptional(writer, "SessionId"u8, record.SessionId);
        WriteOptional(writer, "Listener"u8, record.Listener);
        WriteOptional(writer, "Protocol"u8, record.Protocol);
        writer.WriteString("Kind"u8, record.Kind);
        WriteOptional(writer, "Direction"u8, record.Direction);
        WriteOptional(writer, "Subject"u8, record.Subject);
        WriteOptional(writer, "IdentityKind"u8, record.IdentityKind);
        WriteOptional(writer, "Groups"u8, record.Groups);
        WriteOptional(writer, "SourceIp"u8, record.SourceIp);
        WriteOptional(writer, "Target"u8, record.Target);
        WriteOptional(writer, "Database"u8, record.Database);
        WriteOptional(writer, "Command"u8, record.Command);
        WriteOptional(writer, "CommandKind"u8, record.CommandKind);
        WriteOptional(writer, "Objects"u8, record.Objects);
        WriteOptional(writer, "Decision"u8, record.Decision);
        WriteOptional(writer, "RuleId"u8, record.RuleId);
        if (record.Rows is { } rows)
            writer.WriteNumber("Rows"u8, rows);
        if (record.Bytes is { } bytes)
            writer.WriteNumber("Bytes"u8, bytes);
        if (record.DurationMs is { } duration)
            writer.WriteNumber("DurationMs"u8, duration);
        if (record.DirectPayload is { } direct)
        {
            writer.WritePropertyName("Payload"u8);
            direct.WriteTo(writer);
        }
        else if (record.Payload is { } payload)
        {
            writer.WritePropertyName("Payload"u8);
            payload.WriteTo(writer);
        }
        writer.WriteBoolean("Truncated"u8, record.Truncated);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Splits a stored line (without its newline) into the canonical body (the JSON up to, not including,
    /// the <c>Hash</c> member; the hashed JSON is this body followed by <c>}</c>) and the stored hash.
    /// False when the line does not end in a well-formed <c>Hash</c> member.
    /// </summary>
    public static bool TrySplitLine(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> canonicalBody, out ReadOnlySpan<byte> storedHash)
    {
        canonicalBody = default;
        storedHash = default;
        if (line.Length <= HashSuffixLength || line[0] != (byte)'{' || !line.EndsWith("\"}"u8))
            return false;
        var suffix = line[^HashSuffixLength..];
        if (!suffix.StartsWith(HashMemberStart))
            return false;
        var hash = suffix.Slice(HashMemberStart.Length, HashHexLength);
        foreach (var b in hash)
        {
            if (!char.IsAsciiHexDigitLower((char)b))
                return false;
        }
        canonicalBody = line[..^HashSuffixLength];
        storedHash = hash;
        return true;
    }

    /// <summary>Appends the <c>Hash</c> member and the newline to a canonical JSON already in <paramref name="line"/>.</summary>
    internal static int HashSuffixWithNewline => HashSuffixLength + 1;

    internal static void WriteHashSuffix(Span<byte> destination, ReadOnlySpan<char> hashHex)
    {
        HashMemberStart.CopyTo(destination);
        var at = HashMemberStart.Length;
        for (var i = 0; i < HashHexLength; i++)
            destination[at + i] = (byte)hashHex[i];
        at += HashHexLength;
        destination[at++] = (byte)'"';
        destination[at++] = (byte)'}';
        destination[at] = (byte)'\n';
    }

    /// <summary>Parses a stored line (without its newline). Throws <see cref="JsonException"/> when it is not a record.</summary>
    public static FrameRecord Parse(ReadOnlySpan<byte> line) =>
        JsonSerializer.Deserialize(line, FrameLogJsonContext.Default.FrameRecord)
        ?? throw new JsonException("the line is JSON null, not a record");

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
            writer.WriteString(name, value);
    }

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string[]? values)
    {
        if (values is null)
            return;
        writer.WriteStartArray(name);
        foreach (var value in values)
            writer.WriteStringValue(value);
        writer.WriteEndArray();
    }
}
