using System.Text.Json;
using Gateway.Core.FrameLog;
using Gateway.Core.Policy;

namespace Gateway.Core.Audit;

/// <summary>The <c>decision</c> record's payload: <c>{action, message, request_id}</c>, nulls included.</summary>
internal sealed class DecisionPayload(Decision decision) : IFramePayload
{
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("action"u8, decision.ActionName);
        writer.WriteString("message"u8, decision.Message);
        writer.WriteString("request_id"u8, decision.ApprovalRequestId);
        writer.WriteEndObject();
    }
}
