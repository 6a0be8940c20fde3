using System.Buffers;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Protocol.Messages;

namespace Gateway.Fuzz.Targets;

/// <summary>The client-to-gateway decoder after startup: framing, then every message type the session decodes.</summary>
public sealed class FrontendDecoderTarget : FuzzTarget
{
    private const int MaxMessageBytes = 1024 * 1024;

    public override string Name => "frontend";

    protected override void Decode(ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        while (PgMessageReader.TryReadFrame(ref reader, MaxMessageBytes, out var frame))
            DecodeMessage(frame);
    }

    private static void DecodeMessage(in PgFrame frame)
    {
        var payload = frame.Payload;
        switch (frame.Frontend)
        {
            case FrontendMessageType.Query:
                _ = Query.Decode(payload).GetText();
                break;
            case FrontendMessageType.Parse:
                var parse = Parse.Decode(payload);
                _ = parse.GetText();
                for (var i = 0; i < parse.ParameterTypeCount; i++)
                    _ = parse.GetParameterType(i);
                break;
            case FrontendMessageType.Bind:
                var bind = Bind.Decode(payload);
                var n = 0;
                foreach (var value in bind.Parameters)
                    _ = bind.ParameterFormats.For(n++) + value.WireLength;
                for (var i = 0; i < bind.ResultFormats.Count; i++)
                    _ = bind.ResultFormats.For(i);
                break;
            case FrontendMessageType.Execute:
                _ = Execute.Decode(payload);
                break;
            case FrontendMessageType.Describe:
                _ = Describe.Decode(payload);
                break;
            case FrontendMessageType.Close:
                _ = Close.Decode(payload);
                break;
            case FrontendMessageType.FunctionCall:
                var call = FunctionCall.Decode(payload);
                foreach (var argument in call.Arguments)
                    _ = argument.WireLength;
                break;
            case FrontendMessageType.CopyFail:
                _ = CopyFail.Decode(payload);
                break;
            case FrontendMessageType.CopyData:
                _ = CopyData.Decode(payload);
                break;
            case FrontendMessageType.CopyDone:
                _ = CopyDone.Decode(payload);
                break;
            case FrontendMessageType.Sync:
                _ = Sync.Decode(payload);
                break;
            case FrontendMessageType.Flush:
                _ = Flush.Decode(payload);
                break;
            case FrontendMessageType.Terminate:
                _ = Terminate.Decode(payload);
                break;
            case FrontendMessageType.Password:
                _ = PasswordMessage.Decode(payload);
                _ = SaslResponse.Decode(payload);
                try
                {
                    _ = SaslInitialResponse.Decode(payload);
                }
                catch (PgProtocolException)
                {
                    // The same byte carries three layouts; one of them failing is expected.
                }
                break;
        }
    }
}
