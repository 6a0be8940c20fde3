using System.Text.Json;

namespace Gateway.Host.Sinks;

/// <summary>
/// Reads what a sink needs from one frame-log line without materialising it: <c>Seq</c> and <c>TimeGenerated</c>
/// at the top level, and that the whole line is exactly one well-formed JSON object (so a batch built by
/// concatenating lines is a valid JSON array).
/// </summary>
internal static class RecordLine
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };

    public static bool TryParse(ReadOnlySpan<byte> line, out long seq, out DateTimeOffset timeGenerated)
    {
        seq = -1;
        timeGenerated = default;
        var reader = new Utf8JsonReader(line, Options);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
                    break;
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                    continue;
                if (reader.ValueTextEquals("Seq"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out seq))
                        return false;
                }
                else if (reader.ValueTextEquals("TimeGenerated"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out timeGenerated))
                        return false;
                }
            }
            // Exactly one object and nothing after it (whitespace aside).
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read() && seq >= 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
