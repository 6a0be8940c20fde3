using System.Buffers;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Protocol.Messages;

namespace Gateway.Fuzz.Targets;

/// <summary>
/// The target-to-gateway decoder: framing, every backend message, and a DataRow re-encoded through the writer
/// (the path a masked row takes).
/// </summary>
public sealed class BackendDecoderTarget : FuzzTarget
{
    private const int MaxMessageBytes = 1024 * 1024;

    public override string Name => "backend";

    protected override void Decode(ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        var columns = -1;
        while (PgMessageReader.TryReadFrame(ref reader, MaxMessageBytes, out var frame))
            columns = DecodeMessage(frame, columns);
    }

    /// <returns>The column count of the current result (from the last RowDescription).</returns>
    private static int DecodeMessage(in PgFrame frame, int columns)
    {
        var payload = frame.Payload;
        switch (frame.Backend)
        {
            case BackendMessageType.Authentication:
                var auth = AuthenticationRequest.Decode(payload);
                _ = auth.SaslMechanisms.Count + auth.Data.Length;
                break;
            case BackendMessageType.BackendKeyData:
                _ = BackendKeyData.Decode(payload);
                break;
            case BackendMessageType.RowDescription:
                var fields = RowDescription.Decode(payload).ToArray();
                return fields.Length;
            case BackendMessageType.DataRow:
                var row = DataRow.Decode(payload);
                var values = new PgValue[row.ColumnCount];
                row.Values.CopyTo(values);
                var writer = new ArrayBufferWriter<byte>();
                // The reported length is the length field (the type byte is not counted); the bytes must match the original frame.
                if (PgBackendWriter.TryWriteDataRow(writer, values, MaxMessageBytes, out var length)
                    && (length + 1 != writer.WrittenCount || !writer.WrittenSpan.SequenceEqual(frame.Raw.ToArray())))
                    throw new InvalidOperationException($"DataRow re-encoded to {writer.WrittenCount} bytes, length field {length}, frame {frame.Length}");
                if (columns >= 0 && row.ColumnCount != columns)
                    return columns; // the session refuses this (a protocol violation); decoding it must still be safe
                break;
            case BackendMessageType.CommandComplete:
                _ = CommandComplete.Decode(payload);
                break;
            case BackendMessageType.ReadyForQuery:
                _ = ReadyForQuery.Decode(payload);
                return -1;
            case BackendMessageType.ErrorResponse:
                _ = ErrorResponse.Decode(payload).ToString();
                break;
            case BackendMessageType.NoticeResponse:
                _ = NoticeResponse.Decode(payload).ToString();
                break;
            case BackendMessageType.ParameterStatus:
                _ = ParameterStatus.Decode(payload);
                break;
            case BackendMessageType.NotificationResponse:
                _ = NotificationResponse.Decode(payload);
                break;
            case BackendMessageType.FunctionCallResponse:
                _ = FunctionCallResponse.Decode(payload);
                break;
            case BackendMessageType.NegotiateProtocolVersion:
                _ = NegotiateProtocolVersion.Decode(payload);
                break;
            case BackendMessageType.ParameterDescription:
                _ = ParameterDescription.Decode(payload);
                break;
            case BackendMessageType.CopyInResponse or BackendMessageType.CopyOutResponse or BackendMessageType.CopyBothResponse:
                _ = CopyResponse.Decode((CopyDirection)frame.Type, payload);
                break;
            case BackendMessageType.ParseComplete:
                _ = ParseComplete.Decode(payload);
                break;
            case BackendMessageType.BindComplete:
                _ = BindComplete.Decode(payload);
                break;
            case BackendMessageType.CloseComplete:
                _ = CloseComplete.Decode(payload);
                break;
            case BackendMessageType.NoData:
                _ = NoData.Decode(payload);
                break;
            case BackendMessageType.EmptyQueryResponse:
                _ = EmptyQueryResponse.Decode(payload);
                break;
            case BackendMessageType.PortalSuspended:
                _ = PortalSuspended.Decode(payload);
                break;
        }
        return columns;
    }
}
