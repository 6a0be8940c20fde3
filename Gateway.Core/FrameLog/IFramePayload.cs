using System.Text.Json;

namespace Gateway.Core.FrameLog;

/// <summary>
/// A record payload that writes itself into the record's JSON (<see cref="FrameRecord.DirectPayload"/>). The records
/// written for every command (command, decision, result) use it instead of a <see cref="System.Text.Json.Nodes.JsonObject"/>
/// tree, which cost about 40 % of the bytes the gateway allocated per pgbench transaction; the bytes on disk are the
/// same either way (<c>FramePayloadTests</c>).
/// </summary>
internal interface IFramePayload
{
    /// <summary>Writes the payload as one JSON object. Called once, when the record joins the chain.</summary>
    void WriteTo(Utf8JsonWriter writer);
}
