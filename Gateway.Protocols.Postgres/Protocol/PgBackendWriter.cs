using System.Buffers;
using Gateway.Protocols.Postgres.Protocol.Messages;

namespace Gateway.Protocols.Postgres.Protocol;

/// <summary>
/// Encodes the messages the gateway speaks to a client as if it were the server. Each method writes one
/// complete message into the writer (typically the client's <see cref="System.IO.Pipelines.PipeWriter"/>);
/// the caller flushes. Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html
/// </summary>
public static class PgBackendWriter
{
    public static void WriteAuthenticationOk(IBufferWriter<byte> writer) =>
        WriteAuthentication(writer, AuthenticationKind.Ok);

    public static void WriteAuthenticationCleartextPassword(IBufferWriter<byte> writer) =>
        WriteAuthentication(writer, AuthenticationKind.CleartextPassword);

    private static void WriteAuthentication(IBufferWriter<byte> writer, AuthenticationKind kind)
    {
        var span = PgSpanWriter.Begin(writer, (byte)BackendMessageType.Authentication, 4);
        span.WriteInt32((int)kind);
        span.Commit(writer);
    }

    public static void WriteParameterStatus(IBufferWriter<byte> writer, string name, string value)
    {
        var span = PgSpanWriter.Begin(writer, (byte)BackendMessageType.ParameterStatus,
            (long)PgSpanWriter.CStringLength(name) + PgSpanWriter.CStringLength(value));
        span.WriteCString(name);
        span.WriteCString(value);
        span.Commit(writer);
    }

    public static void WriteBackendKeyData(IBufferWriter<byte> writer, int processId, int secretKey)
    {
        var span = PgSpanWriter.Begin(writer, (byte)BackendMessageType.BackendKeyData, 8);
        span.WriteInt32(processId);
        span.WriteInt32(secretKey);
        span.Commit(writer);
    }

    public static void WriteReadyForQuery(IBufferWriter<byte> writer, TransactionStatus status)
    {
        var span = PgSpanWriter.Begin(writer, (byte)BackendMessageType.ReadyForQuery, 1);
        span.WriteByte((byte)status);
        span.Commit(writer);
    }

    public static void WriteCommandComplete(IBufferWriter<byte> writer, string tag)
    {
        var span = PgSpanWriter.Begin(writer, (byte)BackendMessageType.CommandComplete, PgSpanWriter.CStringLength(tag));
        span.WriteCString(tag);
        span.Commit(writer);
    }

    /// <summary>A message with an empty body: ParseComplete, BindComplete, CloseComplete, NoData, EmptyQueryResponse, PortalSuspended, CopyDone.</summary>
    public static void WriteEmpty(IBufferWriter<byte> writer, BackendMessageType type)
    {
        if (type is not (BackendMessageType.ParseComplete or BackendMessageType.BindComplete or BackendMessageType.CloseComplete
            or BackendMessageType.NoData or BackendMessageType.EmptyQueryResponse or BackendMessageType.PortalSuspended
            or BackendMessageType.CopyDone))
            throw new ArgumentException($"{type} has a body", nameof(type));
        PgSpanWriter.Begin(writer, (byte)type, 0).Commit(writer);
    }

    public static void WriteErrorResponse(IBufferWriter<byte> writer, PgError error) =>
        WriteDiagnostic(writer, BackendMessageType.ErrorResponse, error);

    public static void WriteNoticeResponse(IBufferWriter<byte> writer, PgError notice) =>
        WriteDiagnostic(writer, BackendMessageType.NoticeResponse, notice);

    private static void WriteDiagnostic(IBufferWriter<byte> writer, BackendMessageType type, PgError error)
    {
        var severity = PgSeverityText.Of(error.Severity);
        var position = error.Position?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        long body = 1 // terminator
            + Field(severity) * 2 // S and V
            + Field(error.SqlState)
            + Field(error.Message)
            + Field(error.Detail)
            + Field(error.Hint)
            + Field(position)
            + Field(error.Where);

        var span = PgSpanWriter.Begin(writer, (byte)type, body);
        Write(ref span, PgErrorField.SeverityLocalized, severity);
        Write(ref span, PgErrorField.Severity, severity);
        Write(ref span, PgErrorField.SqlState, error.SqlState);
        Write(ref span, PgErrorField.Message, error.Message);
        Write(ref span, PgErrorField.Detail, error.Detail);
        Write(ref span, PgErrorField.Hint, error.Hint);
        Write(ref span, PgErrorField.Position, position);
        Write(ref span, PgErrorField.Where, error.Where);
        span.WriteByte(0);
        span.Commit(writer);

        static long Field(string? value) => value is null ? 0 : 1 + PgSpanWriter.CStringLength(value);

        static void Write(ref PgSpanWriter span, PgErrorField code, string? value)
        {
            if (value is null)
                return;
            span.WriteByte((byte)code);
            span.WriteCString(value);
        }
    }

    public static void WriteRowDescription(IBufferWriter<byte> writer, ReadOnlySpan<RowField> fields)
    {
        if (fields.Length > RowDescription.MaxColumns)
            throw new ArgumentException($"{fields.Length} fields, limit is {RowDescription.MaxColumns}", nameof(fields));
        long body = 2;
        foreach (var field in fields)
            body += PgSpanWriter.CStringLength(field.Name) + 18;

        var span = PgSpanWriter.Begin(writer, (byte)BackendMessageType.RowDescription, body);
        span.WriteInt16((short)fields.Length);
        foreach (var field in fields)
        {
            span.WriteCString(field.Name);
            span.WriteInt32(unchecked((int)field.TableOid));
            span.WriteInt16(field.ColumnNumber);
            span.WriteInt32(unchecked((int)field.TypeOid));
            span.WriteInt16(field.TypeSize);
            span.WriteInt32(field.TypeModifier);
            span.WriteInt16(field.Format);
        }
        span.Commit(writer);
    }

    /// <summary>
    /// Re-encodes a DataRow with new values. The length is summed in 64 bits and checked against
    /// <paramref name="maxLength"/> (a cap on the length field, like the reader's) and int32 before a single byte
    /// is written: an oversized row is refused, never wrapped (Npgsql CVE-2024-32655).
    /// </summary>
    /// <param name="requiredLength">The length field the row would need, whether or not it was written.</param>
    /// <returns>False (nothing written) when the row would exceed <paramref name="maxLength"/>.</returns>
    public static bool TryWriteDataRow(IBufferWriter<byte> writer, ReadOnlySpan<PgValue> values, int maxLength, out long requiredLength)
    {
        if (values.Length > RowDescription.MaxColumns)
            throw new ArgumentException($"{values.Length} columns, limit is {RowDescription.MaxColumns}", nameof(values));

        requiredLength = 4 + 2;
        var valueTooLong = false;
        foreach (var value in values)
        {
            requiredLength += value.WireLength;
            valueTooLong |= value.Bytes.Length > int.MaxValue;
        }
        if (valueTooLong || requiredLength > maxLength || requiredLength > int.MaxValue)
            return false;

        var header = PgSpanWriter.Begin(writer, (byte)BackendMessageType.DataRow, 2);
        header.WriteInt16((short)values.Length);
        // Begin sized the span for the count only; the values stream after it, so declare the real length.
        header.PatchTypedLength((int)requiredLength);
        header.Commit(writer);

        Span<byte> length = stackalloc byte[4];
        foreach (var value in values)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, value.IsNull ? -1 : (int)value.Bytes.Length);
            writer.Write(length);
            foreach (var segment in value.Bytes)
                writer.Write(segment.Span);
        }
        return true;
    }

    /// <summary>Forwards a frame exactly as it arrived.</summary>
    public static void WriteFrame(IBufferWriter<byte> writer, in PgFrame frame) => PgSpanWriter.WriteRaw(writer, frame.Raw);
}
