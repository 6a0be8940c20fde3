using System.Buffers;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Protocol.Messages;

namespace Gateway.Tests.Postgres.Protocol;

public sealed class FrontendMessageTests
{
    [Test]
    public void StartupMessage_decodes_parameters()
    {
        var frame = StartupFrame(new WireBytes()
            .CString("user").CString("alice")
            .CString("database").CString("app")
            .CString("application_name").CString("psql")
            .Byte(0));

        var message = StartupMessage.Decode(frame);

        Assert.That(message.ProtocolVersion, Is.EqualTo(StartupRequestCodes.ProtocolVersion30));
        Assert.That(message.User, Is.EqualTo("alice"));
        Assert.That(message.Database, Is.EqualTo("app"));
        Assert.That(message.Parameters["application_name"], Is.EqualTo("psql"));
        Assert.That(message.Parameters, Has.Count.EqualTo(3));
    }

    [Test]
    public void StartupMessage_without_database_leaves_it_null()
    {
        var message = StartupMessage.Decode(StartupFrame(new WireBytes().CString("user").CString("bob").Byte(0)));

        Assert.That(message.Database, Is.Null);
    }

    [Test]
    public void StartupMessage_with_a_duplicate_parameter_is_rejected()
    {
        var frame = StartupFrame(new WireBytes().CString("user").CString("a").CString("user").CString("b").Byte(0));

        AssertViolation(() => StartupMessage.Decode(frame), PgProtocolViolation.DuplicateParameter);
    }

    [Test]
    public void StartupMessage_without_the_final_terminator_is_rejected()
    {
        var frame = StartupFrame(new WireBytes().CString("user").CString("a"));

        AssertViolation(() => StartupMessage.Decode(frame), PgProtocolViolation.MissingTerminator);
    }

    [Test]
    public void StartupMessage_with_an_unterminated_value_is_rejected()
    {
        var frame = StartupFrame(new WireBytes().CString("user").Text("alice"));

        AssertViolation(() => StartupMessage.Decode(frame), PgProtocolViolation.MissingTerminator);
    }

    [Test]
    public void StartupMessage_with_bytes_after_the_terminator_is_rejected()
    {
        var frame = StartupFrame(new WireBytes().CString("user").CString("a").Byte(0).Byte(7));

        AssertViolation(() => StartupMessage.Decode(frame), PgProtocolViolation.TrailingBytes);
    }

    [Test]
    public void StartupMessage_with_invalid_utf8_is_rejected()
    {
        var frame = StartupFrame(new WireBytes().CString("user").Bytes(0xC3, 0x28, 0).Byte(0));

        AssertViolation(() => StartupMessage.Decode(frame), PgProtocolViolation.InvalidUtf8);
    }

    [Test]
    public void CancelRequest_decodes_pid_and_key()
    {
        var bytes = new WireBytes().Int32(16).Int32(80877102).Int32(4242).Int32(-123456).ToArray();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        PgMessageReader.TryReadStartupFrame(ref reader, out var frame);

        var cancel = CancelRequest.Decode(frame);

        Assert.That(cancel.ProcessId, Is.EqualTo(4242));
        Assert.That(cancel.SecretKey, Is.EqualTo(-123456));
        Assert.That(cancel.ToString(), Does.Not.Contain("123456"));
    }

    [Test]
    public void PasswordMessage_decodes_and_never_prints_the_password()
    {
        var message = PasswordMessage.Decode(new WireBytes().CString("s3cret-token").ToSequence());

        Assert.That(message.Password, Is.EqualTo("s3cret-token"));
        Assert.That(message.ToString(), Does.Not.Contain("s3cret"));
    }

    [Test]
    public void SaslInitialResponse_decodes_mechanism_and_data()
    {
        var message = SaslInitialResponse.Decode(new WireBytes().CString("SCRAM-SHA-256").Value("n,,n=,r=abc").ToSequence());

        Assert.That(message.Mechanism, Is.EqualTo("SCRAM-SHA-256"));
        Assert.That(WireBytes.Utf8(message.Data.Bytes), Is.EqualTo("n,,n=,r=abc"));
    }

    [Test]
    public void SaslInitialResponse_without_data_has_a_null_value()
    {
        var message = SaslInitialResponse.Decode(new WireBytes().CString("SCRAM-SHA-256").Int32(-1).ToSequence());

        Assert.That(message.Data.IsNull, Is.True);
    }

    [Test]
    public void SaslInitialResponse_with_data_shorter_than_declared_is_truncated()
    {
        var payload = new WireBytes().CString("SCRAM-SHA-256").Int32(10).Text("abc").ToSequence();

        var e = AssertViolation(() => SaslInitialResponse.Decode(payload), PgProtocolViolation.Truncated);
        Assert.That(e.Message, Does.Contain("expected 10 bytes").And.Contain("had 3"));
    }

    [Test]
    public void SaslResponse_is_the_whole_body()
    {
        var message = SaslResponse.Decode(new WireBytes().Text("c=biws,r=x,p=y").ToSequence());

        Assert.That(WireBytes.Utf8(message.Data), Is.EqualTo("c=biws,r=x,p=y"));
    }

    [Test]
    public void Query_decodes_sql_as_a_slice()
    {
        var query = Query.Decode(new WireBytes().CString("SELECT 'é'; SELECT 2").ToSequence());

        Assert.That(query.GetText(), Is.EqualTo("SELECT 'é'; SELECT 2"));
        Assert.That(query.Sql.Length, Is.EqualTo(21));
    }

    [Test]
    public void Query_without_terminator_is_rejected()
    {
        AssertViolation(() => Query.Decode(new WireBytes().Text("SELECT 1").ToSequence()), PgProtocolViolation.MissingTerminator);
    }

    [Test]
    public void Query_with_trailing_bytes_is_rejected()
    {
        AssertViolation(() => Query.Decode(new WireBytes().CString("SELECT 1").CString("x").ToSequence()), PgProtocolViolation.TrailingBytes);
    }

    [Test]
    public void Parse_decodes_name_sql_and_parameter_types()
    {
        var parse = Parse.Decode(new WireBytes().CString("s1").CString("SELECT $1, $2").Int16(2).UInt32(23).UInt32(0xFFFFFFF0).ToSequence());

        Assert.That(parse.StatementName, Is.EqualTo("s1"));
        Assert.That(parse.GetText(), Is.EqualTo("SELECT $1, $2"));
        Assert.That(parse.ParameterTypeCount, Is.EqualTo(2));
        Assert.That(parse.GetParameterType(0), Is.EqualTo(23u));
        Assert.That(parse.GetParameterType(1), Is.EqualTo(0xFFFFFFF0u));
    }

    [Test]
    public void Parse_with_fewer_types_than_counted_is_truncated()
    {
        var payload = new WireBytes().CString("").CString("SELECT $1").Int16(2).UInt32(23).ToSequence();

        AssertViolation(() => Parse.Decode(payload), PgProtocolViolation.Truncated);
    }

    [Test]
    public void Parse_with_a_negative_type_count_is_rejected()
    {
        var payload = new WireBytes().CString("").CString("SELECT 1").Int16(-1).ToSequence();

        AssertViolation(() => Parse.Decode(payload), PgProtocolViolation.InvalidCount);
    }

    [Test]
    public void Bind_decodes_formats_parameters_and_result_formats()
    {
        var bind = Bind.Decode(new WireBytes()
            .CString("portal").CString("stmt")
            .Int16(2).Int16(0).Int16(1)
            .Int16(2).Value("42").Value(null)
            .Int16(1).Int16(1)
            .ToSequence());

        Assert.That(bind.Portal, Is.EqualTo("portal"));
        Assert.That(bind.Statement, Is.EqualTo("stmt"));
        Assert.That(bind.ParameterFormats.Count, Is.EqualTo(2));
        Assert.That(bind.ParameterFormats.For(0), Is.EqualTo(0));
        Assert.That(bind.ParameterFormats.For(1), Is.EqualTo(1));
        Assert.That(bind.Parameters.Count, Is.EqualTo(2));
        var values = new PgValue[2];
        bind.Parameters.CopyTo(values);
        Assert.That(WireBytes.Utf8(values[0].Bytes), Is.EqualTo("42"));
        Assert.That(values[1].IsNull, Is.True);
        Assert.That(bind.ResultFormats.Count, Is.EqualTo(1));
        Assert.That(bind.ResultFormats.For(5), Is.EqualTo(1), "a single result format applies to every column");
    }

    [Test]
    public void Bind_with_no_format_codes_means_text_for_all()
    {
        var bind = Bind.Decode(new WireBytes().CString("").CString("").Int16(0).Int16(1).Value("x").Int16(0).ToSequence());

        Assert.That(bind.ParameterFormats.For(0), Is.EqualTo(0));
        Assert.That(bind.ResultFormats.Count, Is.Zero);
    }

    [Test]
    public void Bind_with_one_format_code_applies_it_to_every_parameter()
    {
        var bind = Bind.Decode(new WireBytes().CString("").CString("").Int16(1).Int16(1).Int16(3).Value("a").Value("b").Value("c").Int16(0).ToSequence());

        Assert.That(bind.ParameterFormats.For(2), Is.EqualTo(1));
        var count = 0;
        foreach (var value in bind.Parameters)
        {
            Assert.That(value.IsNull, Is.False);
            count++;
        }
        Assert.That(count, Is.EqualTo(3));
    }

    [Test]
    public void Bind_whose_format_count_disagrees_with_parameter_count_is_rejected()
    {
        var payload = new WireBytes().CString("").CString("")
            .Int16(2).Int16(0).Int16(0)
            .Int16(3).Value("a").Value("b").Value("c")
            .Int16(0).ToSequence();

        var e = AssertViolation(() => Bind.Decode(payload), PgProtocolViolation.CountMismatch);
        Assert.That(e.Message, Does.Contain("2 parameter formats but 3 parameters"));
    }

    [Test]
    public void Bind_with_a_format_code_other_than_0_or_1_is_rejected()
    {
        var payload = new WireBytes().CString("").CString("").Int16(1).Int16(2).Int16(0).Int16(0).ToSequence();

        AssertViolation(() => Bind.Decode(payload), PgProtocolViolation.InvalidFormatCode);
    }

    [Test]
    public void Bind_with_a_parameter_length_below_minus_one_is_rejected()
    {
        var payload = new WireBytes().CString("").CString("").Int16(0).Int16(1).Int32(-2).Int16(0).ToSequence();

        AssertViolation(() => Bind.Decode(payload), PgProtocolViolation.InvalidValueLength);
    }

    [Test]
    public void Bind_with_a_parameter_longer_than_the_message_is_truncated()
    {
        var payload = new WireBytes().CString("").CString("").Int16(0).Int16(1).Int32(0x7FFFFFFF).Text("ab").ToSequence();

        var e = AssertViolation(() => Bind.Decode(payload), PgProtocolViolation.Truncated);
        Assert.That(e.Message, Does.Contain("expected 2147483647 bytes").And.Contain("had 2"));
    }

    [Test]
    public void Bind_missing_result_formats_is_truncated()
    {
        var payload = new WireBytes().CString("").CString("").Int16(0).Int16(0).ToSequence();

        AssertViolation(() => Bind.Decode(payload), PgProtocolViolation.Truncated);
    }

    [Test]
    public void Describe_and_Close_decode_target_and_name()
    {
        var describe = Describe.Decode(new WireBytes().Char('S').CString("s1").ToSequence());
        var close = Close.Decode(new WireBytes().Char('P').CString("").ToSequence());

        Assert.That(describe, Is.EqualTo(new Describe(PgObjectKind.Statement, "s1")));
        Assert.That(close, Is.EqualTo(new Close(PgObjectKind.Portal, "")));
    }

    [Test]
    public void Describe_with_an_unknown_target_is_rejected()
    {
        AssertViolation(() => Describe.Decode(new WireBytes().Char('X').CString("").ToSequence()), PgProtocolViolation.InvalidFieldValue);
    }

    [Test]
    public void Execute_decodes_portal_and_row_limit()
    {
        var execute = Execute.Decode(new WireBytes().CString("p").Int32(100).ToSequence());

        Assert.That(execute, Is.EqualTo(new Execute("p", 100)));
    }

    [Test]
    public void FunctionCall_decodes_oid_arguments_and_result_format()
    {
        var call = FunctionCall.Decode(new WireBytes().UInt32(1598).Int16(1).Int16(1).Int16(2).Value("ab").Value(null).Int16(1).ToSequence());

        Assert.That(call.FunctionOid, Is.EqualTo(1598u));
        Assert.That(call.ArgumentFormats.For(1), Is.EqualTo(1));
        Assert.That(call.Arguments.Count, Is.EqualTo(2));
        Assert.That(call.ResultFormat, Is.EqualTo(1));
    }

    [Test]
    public void FunctionCall_whose_format_count_disagrees_is_rejected()
    {
        var payload = new WireBytes().UInt32(1).Int16(2).Int16(0).Int16(0).Int16(1).Value("a").Int16(0).ToSequence();

        AssertViolation(() => FunctionCall.Decode(payload), PgProtocolViolation.CountMismatch);
    }

    [Test]
    public void CopyData_and_CopyFail_decode()
    {
        var data = CopyData.Decode(new WireBytes().Text("1\tone\n").ToSequence());
        var fail = CopyFail.Decode(new WireBytes().CString("aborted by user").ToSequence());

        Assert.That(WireBytes.Utf8(data.Data), Is.EqualTo("1\tone\n"));
        Assert.That(fail.Message, Is.EqualTo("aborted by user"));
    }

    [Test]
    public void Empty_messages_accept_an_empty_body_and_reject_any_byte()
    {
        var empty = ReadOnlySequence<byte>.Empty;
        Assert.DoesNotThrow(() => Sync.Decode(empty));
        Assert.DoesNotThrow(() => Flush.Decode(empty));
        Assert.DoesNotThrow(() => Terminate.Decode(empty));
        Assert.DoesNotThrow(() => CopyDone.Decode(empty));

        var oneByte = new ReadOnlySequence<byte>(new byte[] { 1 });
        AssertViolation(() => Sync.Decode(oneByte), PgProtocolViolation.TrailingBytes);
        AssertViolation(() => Terminate.Decode(oneByte), PgProtocolViolation.TrailingBytes);
    }

    [Test]
    public void Decoding_works_across_segment_boundaries()
    {
        var bytes = new WireBytes().CString("portal").CString("stmt").Int16(1).Int16(0).Int16(2).Value("hello").Value("world").Int16(0).ToArray();

        var bind = Bind.Decode(WireBytes.Segmented(bytes, 3));

        Assert.That(bind.Portal, Is.EqualTo("portal"));
        var values = new PgValue[2];
        bind.Parameters.CopyTo(values);
        Assert.That(WireBytes.Utf8(values[1].Bytes), Is.EqualTo("world"));
    }

    private static PgStartupFrame StartupFrame(WireBytes body)
    {
        var bytes = WireBytes.Startup(StartupRequestCodes.ProtocolVersion30, body);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.That(PgMessageReader.TryReadStartupFrame(ref reader, out var frame), Is.True);
        return frame;
    }

    internal static PgProtocolException AssertViolation(TestDelegate decode, PgProtocolViolation expected)
    {
        var e = Assert.Throws<PgProtocolException>(decode)!;
        Assert.That(e.Violation, Is.EqualTo(expected), e.Message);
        return e;
    }
}
