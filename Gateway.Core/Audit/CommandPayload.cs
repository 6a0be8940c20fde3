using System.Text.Json;
using Gateway.Core.FrameLog;

namespace Gateway.Core.Audit;

/// <summary>
/// The <c>command</c> record's payload (docs/frame-log.md): <c>{statement?, parameters?, origin, parse_error?}</c>,
/// in that order.
/// </summary>
internal sealed class CommandPayload(StatementReference? statement, string origin, bool parseError, string? parseErrorMessage)
    : IFramePayload
{
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        if (statement is { } reference)
        {
            writer.WriteString("statement"u8, reference.Name);
            if (reference.Parameters is { Length: > 0 } parameters)
            {
                writer.WriteStartArray("parameters"u8);
                foreach (var parameter in parameters)
                    writer.WriteStringValue(parameter);
                writer.WriteEndArray();
            }
        }
        writer.WriteString("origin"u8, origin);
        if (parseError)
            writer.WriteString("parse_error"u8, parseErrorMessage);
        writer.WriteEndObject();
    }
}
