using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Gateway.Core.FrameLog;

/// <summary>
/// Source-generated JSON metadata for frame-log lines: PascalCase columns as declared on
/// <see cref="FrameRecord"/>, null columns omitted, <c>TimeGenerated</c> as ISO-8601 UTC. Lines are written by
/// <see cref="FrameRecordJson"/> (fixed column order, the canonical form the hash covers) and read with
/// <see cref="FrameLogJsonContext.Default"/>; sinks that re-serialise a record use this context.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcTimestampConverter)],
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(FrameRecord))]
[JsonSerializable(typeof(JsonObject))]
public sealed partial class FrameLogJsonContext : JsonSerializerContext;

/// <summary>Writes timestamps in UTC (<c>...Z</c>) whatever offset the value carries; reads any ISO-8601 form.</summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime);
}
