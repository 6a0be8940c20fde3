using System.Buffers;
using Gateway.Protocols.Postgres.Protocol;

namespace Gateway.Tests.Postgres.Protocol;

public sealed class PgMessageReaderTests
{
    private const int Cap = 1024 * 1024;

    [Test]
    public void Reads_a_typed_frame_and_slices_payload_and_raw()
    {
        var bytes = WireBytes.Frame('Q', new WireBytes().CString("SELECT 1"));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));

        Assert.That(PgMessageReader.TryReadFrame(ref reader, Cap, out var frame), Is.True);

        Assert.That(frame.Frontend, Is.EqualTo(FrontendMessageType.Query));
        Assert.That(WireBytes.Utf8(frame.Payload), Is.EqualTo("SELECT 1\0"));
        Assert.That(frame.Raw.ToArray(), Is.EqualTo(bytes));
        Assert.That(frame.Length, Is.EqualTo(bytes.Length));
        Assert.That(reader.Consumed, Is.EqualTo(bytes.Length));
    }

    [Test]
    public void Reads_consecutive_frames_and_stops_before_a_partial_one()
    {
        var sync = WireBytes.Frame('S', []);
        var query = WireBytes.Frame('Q', new WireBytes().CString("x"));
        byte[] stream = [.. sync, .. query, .. query[..3]];
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(stream));

        Assert.That(PgMessageReader.TryReadFrame(ref reader, Cap, out var first), Is.True);
        Assert.That(PgMessageReader.TryReadFrame(ref reader, Cap, out var second), Is.True);
        Assert.That(PgMessageReader.TryReadFrame(ref reader, Cap, out _), Is.False);

        Assert.That(first.Frontend, Is.EqualTo(FrontendMessageType.Sync));
        Assert.That(first.Payload.IsEmpty, Is.True);
        Assert.That(second.Frontend, Is.EqualTo(FrontendMessageType.Query));
        Assert.That(reader.Consumed, Is.EqualTo(sync.Length + query.Length));
    }

    [Test]
    public void Every_prefix_of_a_typed_frame_is_incomplete_and_consumes_nothing()
    {
        var bytes = WireBytes.Frame('D', new WireBytes().Int16(2).Value("abc").Value(null));
        for (var length = 0; length < bytes.Length; length++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, length));
            Assert.That(PgMessageReader.TryReadFrame(ref reader, Cap, out _), Is.False, $"prefix {length}");
            Assert.That(reader.Consumed, Is.Zero, $"prefix {length}");
        }
    }

    [Test]
    public void Reads_a_frame_split_across_one_byte_segments()
    {
        var bytes = WireBytes.Frame('T', new WireBytes().Int16(0));
        var reader = new SequenceReader<byte>(WireBytes.Segmented(bytes, 1));

        Assert.That(PgMessageReader.TryReadFrame(ref reader, Cap, out var frame), Is.True);
        Assert.That(frame.Raw.ToArray(), Is.EqualTo(bytes));
        Assert.That(frame.Payload.ToArray(), Is.EqualTo(new byte[] { 0, 0 }));
    }

    [TestCase(0)]
    [TestCase(3)]
    [TestCase(unchecked((int)0x80000000))]
    [TestCase(unchecked((int)0xFFFFFFFF))]
    public void Typed_length_below_four_is_rejected_from_the_header_alone(int length)
    {
        var bytes = new WireBytes().Char('Q').Int32(length).ToArray();

        var violation = ReadViolation(bytes, Cap);

        Assert.That(violation.Violation, Is.EqualTo(PgProtocolViolation.MessageLengthInvalid));
        Assert.That(violation.SqlState, Is.EqualTo("08P01"));
    }

    [Test]
    public void Typed_length_four_is_an_empty_message()
    {
        var bytes = new WireBytes().Char('S').Int32(4).ToArray();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));

        Assert.That(PgMessageReader.TryReadFrame(ref reader, Cap, out var frame), Is.True);
        Assert.That(frame.Payload.Length, Is.Zero);
    }

    [TestCase(0x7FFFFFFF)]
    [TestCase(Cap + 1)]
    public void Typed_length_above_the_cap_is_rejected_before_buffering_the_body(int length)
    {
        var bytes = new WireBytes().Char('Q').Int32(length).ToArray();

        var violation = ReadViolation(bytes, Cap);

        Assert.That(violation.Violation, Is.EqualTo(PgProtocolViolation.MessageTooLarge));
        Assert.That(violation.Message, Does.Contain(length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Typed_length_exactly_at_the_cap_is_accepted()
    {
        var bytes = WireBytes.Frame('d', new byte[60]);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));

        Assert.That(PgMessageReader.TryReadFrame(ref reader, 64, out var frame), Is.True);
        Assert.That(frame.Payload.Length, Is.EqualTo(60));
    }

    [Test]
    public void Reads_a_startup_message()
    {
        var bytes = WireBytes.Startup(StartupRequestCodes.ProtocolVersion30, new WireBytes().CString("user").CString("alice").Byte(0));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));

        Assert.That(PgMessageReader.TryReadStartupFrame(ref reader, out var frame), Is.True);

        Assert.That(frame.Kind, Is.EqualTo(StartupRequestKind.Startup));
        Assert.That(frame.Code, Is.EqualTo(196608));
        Assert.That(frame.ProtocolMajorVersion, Is.EqualTo(3));
        Assert.That(frame.ProtocolMinorVersion, Is.Zero);
        Assert.That(frame.Payload.ToArray(), Is.EqualTo(bytes[8..]));
        Assert.That(frame.Raw.ToArray(), Is.EqualTo(bytes));
    }

    [TestCase(80877103, StartupRequestKind.SslRequest)]
    [TestCase(80877104, StartupRequestKind.GssEncRequest)]
    public void Reads_encryption_requests(int code, StartupRequestKind kind)
    {
        var bytes = new WireBytes().Int32(8).Int32(code).ToArray();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));

        Assert.That(PgMessageReader.TryReadStartupFrame(ref reader, out var frame), Is.True);
        Assert.That(frame.Kind, Is.EqualTo(kind));
        Assert.That(frame.Payload.IsEmpty, Is.True);
    }

    [Test]
    public void Reads_a_cancel_request()
    {
        var bytes = new WireBytes().Int32(16).Int32(80877102).Int32(1234).Int32(-5).ToArray();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));

        Assert.That(PgMessageReader.TryReadStartupFrame(ref reader, out var frame), Is.True);
        Assert.That(frame.Kind, Is.EqualTo(StartupRequestKind.CancelRequest));
        Assert.That(frame.Payload.Length, Is.EqualTo(8));
    }

    [Test]
    public void Every_prefix_of_a_startup_packet_is_incomplete_and_consumes_nothing()
    {
        var bytes = WireBytes.Startup(StartupRequestCodes.ProtocolVersion30, new WireBytes().CString("user").CString("bob").Byte(0));
        for (var length = 0; length < bytes.Length; length++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, length));
            Assert.That(PgMessageReader.TryReadStartupFrame(ref reader, out _), Is.False, $"prefix {length}");
            Assert.That(reader.Consumed, Is.Zero, $"prefix {length}");
        }
    }

    [TestCase(0)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(7)]
    [TestCase(unchecked((int)0x80000000))]
    [TestCase(unchecked((int)0xFFFFFFFF))]
    public void Startup_length_below_eight_is_rejected(int length)
    {
        var bytes = new WireBytes().Int32(length).ToArray();

        Assert.That(StartupViolation(bytes).Violation, Is.EqualTo(PgProtocolViolation.StartupLengthInvalid));
    }

    [TestCase(10001)]
    [TestCase(0x7FFFFFFF)]
    public void Startup_length_above_10000_is_rejected(int length)
    {
        var bytes = new WireBytes().Int32(length).ToArray();

        Assert.That(StartupViolation(bytes).Violation, Is.EqualTo(PgProtocolViolation.StartupTooLarge));
    }

    [TestCase(80877103, 12)]
    [TestCase(80877104, 16)]
    public void Encryption_request_with_a_wrong_length_is_rejected(int code, int length)
    {
        var bytes = new WireBytes().Int32(length).Int32(code).ToArray();

        Assert.That(StartupViolation(bytes).Violation, Is.EqualTo(PgProtocolViolation.SslRequestLengthInvalid));
    }

    [TestCase(8)]
    [TestCase(12)]
    [TestCase(20)]
    public void Cancel_request_with_a_wrong_length_is_rejected(int length)
    {
        var bytes = new WireBytes().Int32(length).Int32(80877102).ToArray();

        Assert.That(StartupViolation(bytes).Violation, Is.EqualTo(PgProtocolViolation.CancelRequestLengthInvalid));
    }

    [TestCase(0x00020000)] // protocol 2.0
    [TestCase(0x00040000)] // protocol 4.0
    [TestCase(12345678)]
    public void Startup_with_an_unsupported_protocol_is_rejected(int code)
    {
        var bytes = new WireBytes().Int32(9).Int32(code).Byte(0).ToArray();

        Assert.That(StartupViolation(bytes).Violation, Is.EqualTo(PgProtocolViolation.UnsupportedProtocolVersion));
    }

    [Test]
    public void Every_violation_becomes_a_fatal_08P01_error_with_its_own_text()
    {
        var texts = new HashSet<string>();
        foreach (var violation in Enum.GetValues<PgProtocolViolation>())
        {
            var error = new PgProtocolException(violation, "detail here").ToError();

            Assert.That(error.SqlState, Is.EqualTo("08P01"));
            Assert.That(error.Severity, Is.EqualTo(PgSeverity.Fatal));
            Assert.That(error.Message, Does.EndWith(": detail here"));
            Assert.That(texts.Add(PgProtocolException.Describe(violation)), Is.True, $"{violation} shares its text with another reason");
        }
    }

    private static PgProtocolException ReadViolation(byte[] bytes, int cap) =>
        Assert.Throws<PgProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            PgMessageReader.TryReadFrame(ref reader, cap, out _);
        })!;

    private static PgProtocolException StartupViolation(byte[] bytes) =>
        Assert.Throws<PgProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            PgMessageReader.TryReadStartupFrame(ref reader, out _);
        })!;
}
