using System.Text.Json;
using Gateway.Core.FrameLog;

namespace Gateway.Core.Audit;

/// <summary>
/// The <c>result</c> record's payload: <c>{tag, columns?, rows?}</c>. A snapshot of a <see cref="ResultCapture"/>,
/// which the session reuses for its next command before the record is written.
/// </summary>
internal sealed class ResultPayload(string? tag, string[]? columns, string?[][] rows) : IFramePayload
{
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("tag"u8, tag);
        if (columns is not null)
        {
            writer.WriteStartArray("columns"u8);
            foreach (var column in columns)
                writer.WriteStringValue(column);
            writer.WriteEndArray();
            writer.WriteStartArray("rows"u8);
            foreach (var row in rows)
            {
                writer.WriteStartArray();
                foreach (var value in row)
                    writer.WriteStringValue(value);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }
}
