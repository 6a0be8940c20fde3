using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Host.Sinks;

/// <summary>
/// Makes a single record that exceeds the per-call body limit fit, in steps that keep the most useful columns:
/// the <c>Payload</c> is replaced by a marker, then the command text is cut, then the object lists; the identity
/// of the record (Node, Seq, Hash, session, kind, decision) always survives. <c>Truncated</c> is set, so a reader
/// knows the Azure copy is not byte-identical to the hash-chained local record.
/// </summary>
internal static class RecordFitter
{
    private const int CommandKeepChars = 16 * 1024;
    private const int ListKeepItems = 64;

    private static readonly string[] IdentityColumns =
    [
        "TimeGenerated", "Seq", "Hash", "PrevHash", "Node", "SessionId", "Listener", "Protocol", "Kind", "Direction",
        "Subject", "IdentityKind", "SourceIp", "Target", "Database", "CommandKind", "Decision", "RuleId", "Rows",
        "Bytes", "DurationMs",
    ];

    /// <returns>The record re-encoded to at most <paramref name="maxBytes"/> bytes, or null when it is not a JSON object.</returns>
    public static byte[]? Fit(ReadOnlySpan<byte> line, int maxBytes)
    {
        JsonObject record;
        try
        {
            if (JsonNode.Parse(line) is not JsonObject parsed)
                return null;
            record = parsed;
        }
        catch (JsonException)
        {
            return null;
        }

        record["Payload"] = new JsonObject
        {
            ["_truncated"] = "record exceeded the Logs Ingestion call limit; the full record is in the local frame log",
            ["OriginalBytes"] = line.Length,
        };
        record["Truncated"] = true;
        var encoded = Encode(record);
        if (encoded.Length <= maxBytes)
            return encoded;

        if (record["Command"] is JsonValue command && command.TryGetValue<string>(out var text) && text.Length > CommandKeepChars)
            record["Command"] = text[..CommandKeepChars];
        foreach (var list in (string[])["Objects", "Groups"])
        {
            if (record[list] is JsonArray items && items.Count > ListKeepItems)
            {
                var kept = new JsonArray();
                for (var i = 0; i < ListKeepItems; i++)
                    kept.Add(items[i]?.DeepClone());
                record[list] = kept;
            }
        }
        encoded = Encode(record);
        if (encoded.Length <= maxBytes)
            return encoded;

        var minimal = new JsonObject();
        foreach (var column in IdentityColumns)
        {
            if (record[column] is { } value && value.ToJsonString().Length <= 1024)
                minimal[column] = value.DeepClone();
        }
        minimal["Payload"] = record["Payload"]!.DeepClone();
        minimal["Truncated"] = true;
        return Encode(minimal);
    }

    private static byte[] Encode(JsonObject record) => JsonSerializer.SerializeToUtf8Bytes(record);
}
