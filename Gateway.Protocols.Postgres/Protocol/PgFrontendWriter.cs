using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol;

/// <summary>
/// Encodes the messages the gateway sends to an upstream server as its client. Each method writes one
/// complete message; the caller flushes. Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html
/// </summary>
public static class PgFrontendWriter
{
    /// <summary>StartupMessage for protocol 3.0. The packet must stay within PostgreSQL's 10000-byte startup limit.</summary>
    public static void WriteStartupMessage(IBufferWriter<byte> writer, IReadOnlyCollection<KeyValuePair<string, string>> parameters)
    {
        long body = 4 + 1; // protocol version + terminator
        foreach (var (name, value) in parameters)
        {
            if (name.Length == 0)
                throw new ArgumentException("a startup parameter name cannot be empty", nameof(parameters));
            body += PgSpanWriter.CStringLength(name) + PgSpanWriter.CStringLength(value);
        }
        if (body + 4 > PgMessageReader.MaxStartupPacketLength)
            throw new ArgumentException($"startup packet of {body + 4} bytes exceeds {PgMessageReader.MaxStartupPacketLength}", nameof(parameters));

        var span = PgSpanWriter.BeginUntyped(writer, body);
        span.WriteInt32(StartupRequestCodes.ProtocolVersion30);
        foreach (var (name, value) in parameters)
        {
            span.WriteCString(name);
            span.WriteCString(value);
        }
        span.WriteByte(0);
        span.Commit(writer);
    }

    public static void WriteSslRequest(IBufferWriter<byte> writer)
    {
        var span = PgSpanWriter.BeginUntyped(writer, 4);
        span.WriteInt32(StartupRequestCodes.SslRequest);
        span.Commit(writer);
    }

    public static void WriteCancelRequest(IBufferWriter<byte> writer, int processId, int secretKey)
    {
        var span = PgSpanWriter.BeginUntyped(writer, 12);
        span.WriteInt32(StartupRequestCodes.CancelRequest);
        span.WriteInt32(processId);
        span.WriteInt32(secretKey);
        span.Commit(writer);
    }

    /// <summary>PasswordMessage: a cleartext password or an MD5 response (<c>md5...</c>).</summary>
    public static void WritePasswordMessage(IBufferWriter<byte> writer, string password)
    {
        var span = PgSpanWriter.Begin(writer, (byte)FrontendMessageType.Password, PgSpanWriter.CStringLength(password));
        span.WriteCString(password);
        span.Commit(writer);
    }

    public static void WriteSaslInitialResponse(IBufferWriter<byte> writer, string mechanism, ReadOnlySpan<byte> clientFirst)
    {
        var span = PgSpanWriter.Begin(writer, (byte)FrontendMessageType.Password,
            PgSpanWriter.CStringLength(mechanism) + 4L + clientFirst.Length);
        span.WriteCString(mechanism);
        span.WriteInt32(clientFirst.Length);
        span.WriteBytes(clientFirst);
        span.Commit(writer);
    }

    public static void WriteSaslResponse(IBufferWriter<byte> writer, ReadOnlySpan<byte> data)
    {
        var span = PgSpanWriter.Begin(writer, (byte)FrontendMessageType.Password, data.Length);
        span.WriteBytes(data);
        span.Commit(writer);
    }

    public static void WriteQuery(IBufferWriter<byte> writer, string sql)
    {
        var span = PgSpanWriter.Begin(writer, (byte)FrontendMessageType.Query, PgSpanWriter.CStringLength(sql));
        span.WriteCString(sql);
        span.Commit(writer);
    }

    /// <summary>Query from UTF-8 text already in hand (e.g. a rewritten statement), without a string round trip.</summary>
    public static void WriteQuery(IBufferWriter<byte> writer, ReadOnlySpan<byte> sqlUtf8)
    {
        if (sqlUtf8.Contains((byte)0))
            throw new ArgumentException("query text cannot contain NUL", nameof(sqlUtf8));
        var span = PgSpanWriter.Begin(writer, (byte)FrontendMessageType.Query, sqlUtf8.Length + 1L);
        span.WriteBytes(sqlUtf8);
        span.WriteByte(0);
        span.Commit(writer);
    }

    /// <summary>Parse with no parameter types: name, query text.</summary>
    public static void WriteParse(IBufferWriter<byte> writer, string statementName, string sql)
    {
        var span = PgSpanWriter.Begin(writer, (byte)FrontendMessageType.Parse,
            PgSpanWriter.CStringLength(statementName) + PgSpanWriter.CStringLength(sql) + 2L);
        span.WriteCString(statementName);
        span.WriteCString(sql);
        span.WriteInt16(0);
        span.Commit(writer);
    }

    public static void WriteCopyFail(IBufferWriter<byte> writer, string reason)
    {
        var span = PgSpanWriter.Begin(writer, (byte)FrontendMessageType.CopyFail, PgSpanWriter.CStringLength(reason));
        span.WriteCString(reason);
        span.Commit(writer);
    }

    public static void WriteSync(IBufferWriter<byte> writer) =>
        PgSpanWriter.Begin(writer, (byte)FrontendMessageType.Sync, 0).Commit(writer);

    public static void WriteTerminate(IBufferWriter<byte> writer) =>
        PgSpanWriter.Begin(writer, (byte)FrontendMessageType.Terminate, 0).Commit(writer);

    /// <summary>Forwards a frame exactly as it arrived.</summary>
    public static void WriteFrame(IBufferWriter<byte> writer, in PgFrame frame) => PgSpanWriter.WriteRaw(writer, frame.Raw);
}
