using System.Buffers;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Protocol.Messages;

namespace Gateway.Tests.Postgres.Protocol;

public sealed class PgWriterTests
{
    [Test]
    public void ErrorResponse_carries_severity_twice_sqlstate_message_detail_hint()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var error = new PgError(PgSeverity.Error, "42501", "permission denied by rule no-ddl")
        {
            Detail = "rule no-ddl denies DROP TABLE",
            Hint = "ask for approval",
            Position = 3,
        };

        PgBackendWriter.WriteErrorResponse(buffer, error);

        var frame = SingleFrame(buffer);
        Assert.That(frame.Backend, Is.EqualTo(BackendMessageType.ErrorResponse));
        var fields = ErrorResponse.Decode(frame.Payload).Fields;
        Assert.That(fields[PgErrorField.SeverityLocalized], Is.EqualTo("ERROR"));
        Assert.That(fields[PgErrorField.Severity], Is.EqualTo("ERROR"));
        Assert.That(fields.SqlState, Is.EqualTo("42501"));
        Assert.That(fields.Message, Is.EqualTo("permission denied by rule no-ddl"));
        Assert.That(fields.Detail, Is.EqualTo("rule no-ddl denies DROP TABLE"));
        Assert.That(fields.Hint, Is.EqualTo("ask for approval"));
        Assert.That(fields[PgErrorField.Position], Is.EqualTo("3"));
        Assert.That(fields[PgErrorField.Where], Is.Null);
    }

    [Test]
    public void NoticeResponse_uses_its_own_type_byte()
    {
        var buffer = new ArrayBufferWriter<byte>();

        PgBackendWriter.WriteNoticeResponse(buffer, new PgError(PgSeverity.Notice, "00000", "hello"));

        var frame = SingleFrame(buffer);
        Assert.That(frame.Backend, Is.EqualTo(BackendMessageType.NoticeResponse));
        Assert.That(NoticeResponse.Decode(frame.Payload).Fields.Severity, Is.EqualTo("NOTICE"));
    }

    [Test]
    public void PgError_rejects_a_malformed_sqlstate()
    {
        Assert.Throws<ArgumentException>(() => _ = new PgError(PgSeverity.Error, "4250", "x"));
        Assert.Throws<ArgumentException>(() => _ = new PgError(PgSeverity.Error, "42a01", "x"));
    }

    [Test]
    public void Writers_refuse_strings_with_nul()
    {
        var buffer = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentException>(() => PgBackendWriter.WriteErrorResponse(buffer, new PgError(PgSeverity.Error, "XX000", "a\0b")));
        Assert.Throws<ArgumentException>(() => PgFrontendWriter.WriteQuery(buffer, "SELECT 1\0; DROP TABLE t"));
        Assert.Throws<ArgumentException>(() => PgFrontendWriter.WriteQuery(buffer, "SELECT 1\0"u8));
        Assert.That(buffer.WrittenCount, Is.Zero);
    }

    [Test]
    public void Backend_messages_round_trip_through_the_decoders()
    {
        var buffer = new ArrayBufferWriter<byte>();
        PgBackendWriter.WriteAuthenticationCleartextPassword(buffer);
        PgBackendWriter.WriteAuthenticationOk(buffer);
        PgBackendWriter.WriteParameterStatus(buffer, "server_version", "15.8");
        PgBackendWriter.WriteBackendKeyData(buffer, 4711, -7);
        PgBackendWriter.WriteRowDescription(buffer, [new RowField("id", 1, 1, 23, 4, -1, 0), new RowField("ñame", 0, 0, 25, -1, -1, 1)]);
        PgBackendWriter.WriteCommandComplete(buffer, "SELECT 1");
        PgBackendWriter.WriteEmpty(buffer, BackendMessageType.BindComplete);
        PgBackendWriter.WriteReadyForQuery(buffer, TransactionStatus.InTransaction);

        var frames = Frames(buffer);

        Assert.That(frames.Select(f => f.Backend), Is.EqualTo(new[]
        {
            BackendMessageType.Authentication, BackendMessageType.Authentication, BackendMessageType.ParameterStatus,
            BackendMessageType.BackendKeyData, BackendMessageType.RowDescription, BackendMessageType.CommandComplete,
            BackendMessageType.BindComplete, BackendMessageType.ReadyForQuery,
        }));
        Assert.That(AuthenticationRequest.Decode(frames[0].Payload).Kind, Is.EqualTo(AuthenticationKind.CleartextPassword));
        Assert.That(AuthenticationRequest.Decode(frames[1].Payload).Kind, Is.EqualTo(AuthenticationKind.Ok));
        Assert.That(ParameterStatus.Decode(frames[2].Payload), Is.EqualTo(new ParameterStatus("server_version", "15.8")));
        Assert.That(BackendKeyData.Decode(frames[3].Payload), Is.EqualTo(new BackendKeyData(4711, -7)));
        Assert.That(RowDescription.Decode(frames[4].Payload).ToArray()[1], Is.EqualTo(new RowField("ñame", 0, 0, 25, -1, -1, 1)));
        Assert.That(CommandComplete.Decode(frames[5].Payload).Tag, Is.EqualTo("SELECT 1"));
        Assert.That(ReadyForQuery.Decode(frames[7].Payload).Status, Is.EqualTo(TransactionStatus.InTransaction));
    }

    [Test]
    public void Frontend_messages_round_trip_through_the_decoders()
    {
        var buffer = new ArrayBufferWriter<byte>();
        PgFrontendWriter.WriteQuery(buffer, "SELECT 'ü'");
        PgFrontendWriter.WriteQuery(buffer, "SELECT 2"u8);
        PgFrontendWriter.WritePasswordMessage(buffer, "md5abc");
        PgFrontendWriter.WriteSaslInitialResponse(buffer, "SCRAM-SHA-256", "n,,n=,r=x"u8);
        PgFrontendWriter.WriteSaslResponse(buffer, "c=biws"u8);
        PgFrontendWriter.WriteSync(buffer);
        PgFrontendWriter.WriteTerminate(buffer);

        var frames = Frames(buffer);

        Assert.That(Query.Decode(frames[0].Payload).GetText(), Is.EqualTo("SELECT 'ü'"));
        Assert.That(Query.Decode(frames[1].Payload).GetText(), Is.EqualTo("SELECT 2"));
        Assert.That(PasswordMessage.Decode(frames[2].Payload).Password, Is.EqualTo("md5abc"));
        var initial = SaslInitialResponse.Decode(frames[3].Payload);
        Assert.That(initial.Mechanism, Is.EqualTo("SCRAM-SHA-256"));
        Assert.That(WireBytes.Utf8(initial.Data.Bytes), Is.EqualTo("n,,n=,r=x"));
        Assert.That(WireBytes.Utf8(SaslResponse.Decode(frames[4].Payload).Data), Is.EqualTo("c=biws"));
        Assert.That(frames[5].Frontend, Is.EqualTo(FrontendMessageType.Sync));
        Assert.That(frames[6].Frontend, Is.EqualTo(FrontendMessageType.Terminate));
        Assert.That(frames[6].Payload.IsEmpty, Is.True);
    }

    [Test]
    public void Startup_packets_round_trip_through_the_startup_reader()
    {
        var buffer = new ArrayBufferWriter<byte>();
        PgFrontendWriter.WriteSslRequest(buffer);
        PgFrontendWriter.WriteStartupMessage(buffer, [new("user", "alice"), new("database", "db"), new("application_name", "gw")]);
        PgFrontendWriter.WriteCancelRequest(buffer, 99, 12345);

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer.WrittenMemory));
        Assert.That(PgMessageReader.TryReadStartupFrame(ref reader, out var ssl), Is.True);
        Assert.That(PgMessageReader.TryReadStartupFrame(ref reader, out var startup), Is.True);
        Assert.That(PgMessageReader.TryReadStartupFrame(ref reader, out var cancel), Is.True);

        Assert.That(ssl.Kind, Is.EqualTo(StartupRequestKind.SslRequest));
        var message = StartupMessage.Decode(startup);
        Assert.That(message.User, Is.EqualTo("alice"));
        Assert.That(message.Parameters["application_name"], Is.EqualTo("gw"));
        Assert.That(CancelRequest.Decode(cancel), Is.EqualTo(new CancelRequest(99, 12345)));
    }

    [Test]
    public void StartupMessage_over_10000_bytes_is_refused()
    {
        var buffer = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentException>(() => PgFrontendWriter.WriteStartupMessage(buffer, [new("user", "u"), new("options", new string('x', 10000))]));
        Assert.That(buffer.WrittenCount, Is.Zero);
    }

    [Test]
    public void DataRow_re_encodes_new_values_from_multi_segment_slices()
    {
        var original = new WireBytes().Int16(3).Value("alice@example.com").Value(null).Value("42").ToArray();
        var row = DataRow.Decode(WireBytes.Segmented(original, 5));
        var values = new PgValue[3];
        row.Values.CopyTo(values);
        values[0] = PgValue.From("***"u8.ToArray());
        var buffer = new ArrayBufferWriter<byte>();

        Assert.That(PgBackendWriter.TryWriteDataRow(buffer, values, 1024, out var length), Is.True);

        var frame = SingleFrame(buffer);
        Assert.That(frame.Backend, Is.EqualTo(BackendMessageType.DataRow));
        Assert.That(length, Is.EqualTo(frame.Length - 1));
        Assert.That(frame.Payload.ToArray(), Is.EqualTo(new WireBytes().Int16(3).Value("***").Value(null).Value("42").ToArray()));
    }

    [Test]
    public void DataRow_over_the_cap_is_refused_and_nothing_is_written()
    {
        var buffer = new ArrayBufferWriter<byte>();
        PgValue[] values = [PgValue.From(new byte[100]), PgValue.From(new byte[100])];

        Assert.That(PgBackendWriter.TryWriteDataRow(buffer, values, maxLength: 200, out var required), Is.False);

        Assert.That(required, Is.EqualTo(4 + 2 + 104 + 104));
        Assert.That(buffer.WrittenCount, Is.Zero);
    }

    [Test]
    public void DataRow_whose_total_overflows_int32_is_refused_without_materialising_it()
    {
        // Five 1 GiB values built from one reused 1 MiB buffer: 5 GiB logical, a few hundred KiB real.
        // A 32-bit sum would wrap to a small positive length (the Npgsql CVE-2024-32655 shape).
        var chunk = new byte[1024 * 1024];
        var gib = Repeated(chunk, 1024);
        PgValue[] values = [new(gib), new(gib), new(gib), new(gib), new(gib)];
        var buffer = new CountingWriter();

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var written = PgBackendWriter.TryWriteDataRow(buffer, values, int.MaxValue, out var required);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.That(written, Is.False);
        Assert.That(required, Is.EqualTo(6 + 5 * (4 + (1L << 30))));
        Assert.That(unchecked((int)required), Is.LessThan(int.MaxValue), "the wrapped 32-bit length would have looked acceptable");
        Assert.That(buffer.Requested, Is.Zero);
        Assert.That(allocated, Is.LessThan(1024 * 1024));
    }

    [Test]
    public void DataRow_with_a_single_value_over_int32_is_refused()
    {
        var chunk = new byte[1024 * 1024];
        var huge = Repeated(chunk, 4097); // 4 GiB + 1 MiB
        var buffer = new CountingWriter();

        Assert.That(PgBackendWriter.TryWriteDataRow(buffer, [new PgValue(huge)], int.MaxValue, out var required), Is.False);

        Assert.That(required, Is.EqualTo(6 + 4 + 4097L * 1024 * 1024));
        Assert.That(buffer.Requested, Is.Zero);
    }

    [Test]
    public void Frames_are_forwarded_byte_for_byte()
    {
        var bytes = WireBytes.Frame('D', new WireBytes().Int16(1).Value("x"));
        var reader = new SequenceReader<byte>(WireBytes.Segmented(bytes, 2));
        PgMessageReader.TryReadFrame(ref reader, 1024, out var frame);
        var buffer = new ArrayBufferWriter<byte>();

        PgBackendWriter.WriteFrame(buffer, frame);

        Assert.That(buffer.WrittenSpan.ToArray(), Is.EqualTo(bytes));
    }

    private static ReadOnlySequence<byte> Repeated(byte[] chunk, int times)
    {
        var first = new Gateway.Fuzz.Targets.SegmentedSequence.Segment(chunk, 0);
        var last = first;
        for (var i = 1; i < times; i++)
            last = last.Append(chunk);
        return new ReadOnlySequence<byte>(first, 0, last, chunk.Length);
    }

    private static PgFrame SingleFrame(ArrayBufferWriter<byte> buffer)
    {
        var frames = Frames(buffer);
        Assert.That(frames, Has.Count.EqualTo(1));
        return frames[0];
    }

    private static List<PgFrame> Frames(ArrayBufferWriter<byte> buffer)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer.WrittenMemory));
        var frames = new List<PgFrame>();
        while (PgMessageReader.TryReadFrame(ref reader, 1024 * 1024, out var frame))
            frames.Add(frame);
        Assert.That(reader.End, Is.True, "the writer produced a partial frame");
        return frames;
    }

    /// <summary>Records how much a writer was asked for, without holding any of it.</summary>
    private sealed class CountingWriter : IBufferWriter<byte>
    {
        public long Requested { get; private set; }

        public void Advance(int count) => Requested += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new AssertionException("the writer was asked for memory");

        public Span<byte> GetSpan(int sizeHint = 0) => throw new AssertionException("the writer was asked for memory");
    }
}
