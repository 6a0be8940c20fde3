using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Core.FrameLog;

namespace Gateway.Host.Azure;

/// <summary>
/// Maps a <c>GatewayFrames_CL</c> query row back to a <see cref="FrameRecord"/>. The query API returns
/// <c>dynamic</c> columns as JSON text and datetimes as ISO 8601 strings; both shapes are accepted either way.
/// </summary>
internal static class FrameRecordRows
{
    public static FrameRecord ToRecord(QueryTable table, JsonElement[] row) => new()
    {
        Kind = String(table, row, "Kind") ?? "",
        TimeGenerated = Time(table, row, "TimeGenerated") ?? default,
        Seq = Long(table, row, "Seq") ?? throw new InvalidDataException("a row has no Seq"),
        Hash = String(table, row, "Hash") ?? "",
        PrevHash = String(table, row, "PrevHash") ?? "",
        Node = String(table, row, "Node") ?? throw new InvalidDataException("a row has no Node"),
        SessionId = String(table, row, "SessionId"),
        Listener = String(table, row, "Listener"),
        Protocol = String(table, row, "Protocol"),
        Direction = String(table, row, "Direction"),
        Subject = String(table, row, "Subject"),
        IdentityKind = String(table, row, "IdentityKind"),
        Groups = Strings(table, row, "Groups"),
        SourceIp = String(table, row, "SourceIp"),
        Target = String(table, row, "Target"),
        Database = String(table, row, "Database"),
        Command = String(table, row, "Command"),
        CommandKind = String(table, row, "CommandKind"),
        Objects = Strings(table, row, "Objects"),
        Decision = String(table, row, "Decision"),
        RuleId = String(table, row, "RuleId"),
        Rows = Long(table, row, "Rows"),
        Bytes = Long(table, row, "Bytes"),
        DurationMs = Double(table, row, "DurationMs"),
        Payload = Dynamic(table, row, "Payload") as JsonObject,
        Truncated = Bool(table, row, "Truncated") ?? false,
    };

    private static string? String(QueryTable table, JsonElement[] row, string column) => table.Cell(row, column) switch
    {
        { ValueKind: JsonValueKind.String } cell => EmptyToNull(cell.GetString()),
        { } cell => cell.GetRawText(),
        null => null,
    };

    // Log Analytics has no null strings: an absent value reads back as "".
    private static string? EmptyToNull(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static long? Long(QueryTable table, JsonElement[] row, string column) => table.Cell(row, column) switch
    {
        { ValueKind: JsonValueKind.Number } cell when cell.TryGetInt64(out var value) => value,
        { ValueKind: JsonValueKind.String } cell when long.TryParse(cell.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) => value,
        _ => null,
    };

    private static double? Double(QueryTable table, JsonElement[] row, string column) => table.Cell(row, column) switch
    {
        { ValueKind: JsonValueKind.Number } cell => cell.GetDouble(),
        { ValueKind: JsonValueKind.String } cell when double.TryParse(cell.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
        _ => null,
    };

    private static bool? Bool(QueryTable table, JsonElement[] row, string column) => table.Cell(row, column) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.Number } cell => cell.GetDouble() != 0,
        { ValueKind: JsonValueKind.String } cell => bool.TryParse(cell.GetString(), out var value) ? value : null,
        _ => null,
    };

    private static DateTimeOffset? Time(QueryTable table, JsonElement[] row, string column) =>
        table.Cell(row, column) is { ValueKind: JsonValueKind.String } cell
        && DateTimeOffset.TryParse(cell.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : null;

    private static JsonNode? Dynamic(QueryTable table, JsonElement[] row, string column)
    {
        switch (table.Cell(row, column))
        {
            case { ValueKind: JsonValueKind.String } cell:
                var text = cell.GetString();
                if (string.IsNullOrEmpty(text))
                    return null;
                try
                {
                    return JsonNode.Parse(text);
                }
                catch (JsonException)
                {
                    return JsonValue.Create(text);
                }
            case { } cell:
                return JsonNode.Parse(cell.GetRawText());
            default:
                return null;
        }
    }

    private static string[]? Strings(QueryTable table, JsonElement[] row, string column) =>
        Dynamic(table, row, column) is JsonArray items
            ? [.. items.Select(item => item is JsonValue value && value.TryGetValue<string>(out var s) ? s : item?.ToJsonString() ?? "")]
            : null;
}
