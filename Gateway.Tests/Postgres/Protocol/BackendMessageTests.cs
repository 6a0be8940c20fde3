using System.Buffers;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Protocol.Messages;
using static Gateway.Tests.Postgres.Protocol.FrontendMessageTests;

namespace Gateway.Tests.Postgres.Protocol;

public sealed class BackendMessageTests
{
    [Test]
    public void AuthenticationOk_and_Cleartext_have_no_data()
    {
        Assert.That(AuthenticationRequest.Decode(new WireBytes().Int32(0).ToSequence()).Kind, Is.EqualTo(AuthenticationKind.Ok));
        Assert.That(AuthenticationRequest.Decode(new WireBytes().Int32(3).ToSequence()).Kind, Is.EqualTo(AuthenticationKind.CleartextPassword));
    }

    [Test]
    public void AuthenticationOk_with_extra_bytes_is_rejected()
    {
        AssertViolation(() => AuthenticationRequest.Decode(new WireBytes().Int32(0).Byte(1).ToSequence()), PgProtocolViolation.TrailingBytes);
    }

    [Test]
    public void AuthenticationMD5Password_carries_a_four_byte_salt()
    {
        var request = AuthenticationRequest.Decode(new WireBytes().Int32(5).Bytes(1, 2, 3, 4).ToSequence());

        Assert.That(request.Kind, Is.EqualTo(AuthenticationKind.Md5Password));
        Assert.That(request.Data.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
    }

    [Test]
    public void AuthenticationMD5Password_with_a_short_salt_is_truncated()
    {
        AssertViolation(() => AuthenticationRequest.Decode(new WireBytes().Int32(5).Bytes(1, 2).ToSequence()), PgProtocolViolation.Truncated);
    }

    [Test]
    public void AuthenticationSASL_lists_mechanisms()
    {
        var request = AuthenticationRequest.Decode(new WireBytes().Int32(10).CString("SCRAM-SHA-256-PLUS").CString("SCRAM-SHA-256").Byte(0).ToSequence());

        Assert.That(request.Kind, Is.EqualTo(AuthenticationKind.Sasl));
        Assert.That(request.SaslMechanisms, Is.EqualTo(new[] { "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256" }));
    }

    [Test]
    public void AuthenticationSASL_without_mechanisms_is_rejected()
    {
        AssertViolation(() => AuthenticationRequest.Decode(new WireBytes().Int32(10).Byte(0).ToSequence()), PgProtocolViolation.InvalidCount);
    }

    [Test]
    public void AuthenticationSASLContinue_and_Final_carry_data()
    {
        var next = AuthenticationRequest.Decode(new WireBytes().Int32(11).Text("r=abc,s=c2FsdA==,i=4096").ToSequence());
        var final = AuthenticationRequest.Decode(new WireBytes().Int32(12).Text("v=xyz").ToSequence());

        Assert.That(next.Kind, Is.EqualTo(AuthenticationKind.SaslContinue));
        Assert.That(WireBytes.Utf8(next.Data), Is.EqualTo("r=abc,s=c2FsdA==,i=4096"));
        Assert.That(final.Kind, Is.EqualTo(AuthenticationKind.SaslFinal));
        Assert.That(WireBytes.Utf8(final.Data), Is.EqualTo("v=xyz"));
    }

    [Test]
    public void Unknown_authentication_request_is_rejected()
    {
        AssertViolation(() => AuthenticationRequest.Decode(new WireBytes().Int32(99).ToSequence()), PgProtocolViolation.UnknownAuthenticationRequest);
    }

    [Test]
    public void ParameterStatus_BackendKeyData_ReadyForQuery_decode()
    {
        Assert.That(ParameterStatus.Decode(new WireBytes().CString("server_version").CString("15.8").ToSequence()),
            Is.EqualTo(new ParameterStatus("server_version", "15.8")));
        Assert.That(BackendKeyData.Decode(new WireBytes().Int32(777).Int32(-99).ToSequence()),
            Is.EqualTo(new BackendKeyData(777, -99)));
        Assert.That(ReadyForQuery.Decode(new WireBytes().Char('T').ToSequence()).Status, Is.EqualTo(TransactionStatus.InTransaction));
        Assert.That(ReadyForQuery.Decode(new WireBytes().Char('E').ToSequence()).Status, Is.EqualTo(TransactionStatus.Failed));
        Assert.That(ReadyForQuery.Decode(new WireBytes().Char('I').ToSequence()).Status, Is.EqualTo(TransactionStatus.Idle));
    }

    [Test]
    public void BackendKeyData_with_a_long_key_is_rejected_under_protocol_3_0()
    {
        AssertViolation(() => BackendKeyData.Decode(new WireBytes().Int32(1).Int32(2).Int32(3).ToSequence()), PgProtocolViolation.TrailingBytes);
    }

    [Test]
    public void ReadyForQuery_with_an_unknown_status_is_rejected()
    {
        AssertViolation(() => ReadyForQuery.Decode(new WireBytes().Char('X').ToSequence()), PgProtocolViolation.InvalidFieldValue);
    }

    [Test]
    public void RowDescription_decodes_every_field()
    {
        var payload = new WireBytes().Int16(2)
            .CString("id").UInt32(16384).Int16(1).UInt32(23).Int16(4).Int32(-1).Int16(0)
            .CString("name").UInt32(16384).Int16(2).UInt32(1043).Int16(-1).Int32(68).Int16(1)
            .ToSequence();

        var description = RowDescription.Decode(payload);
        var fields = description.ToArray();

        Assert.That(description.FieldCount, Is.EqualTo(2));
        Assert.That(fields[0], Is.EqualTo(new RowField("id", 16384, 1, 23, 4, -1, 0)));
        Assert.That(fields[1], Is.EqualTo(new RowField("name", 16384, 2, 1043, -1, 68, 1)));
    }

    [Test]
    public void RowDescription_with_a_missing_field_is_rejected()
    {
        var payload = new WireBytes().Int16(2).CString("id").UInt32(0).Int16(1).UInt32(23).Int16(4).Int32(-1).Int16(0).ToSequence();

        AssertViolation(() => RowDescription.Decode(payload), PgProtocolViolation.MissingTerminator);
    }

    [Test]
    public void RowDescription_with_short_fixed_fields_is_truncated()
    {
        var payload = new WireBytes().Int16(1).CString("id").UInt32(0).Int16(1).UInt32(23).ToSequence();

        var e = AssertViolation(() => RowDescription.Decode(payload), PgProtocolViolation.Truncated);
        Assert.That(e.Message, Does.Contain("expected 18 bytes").And.Contain("had 10"));
    }

    [Test]
    public void RowDescription_with_more_than_1664_columns_is_rejected()
    {
        AssertViolation(() => RowDescription.Decode(new WireBytes().Int16(1665).ToSequence()), PgProtocolViolation.InvalidCount);
    }

    [Test]
    public void DataRow_yields_values_as_slices_including_null_and_empty()
    {
        var payload = new WireBytes().Int16(3).Value("alice").Value(null).Value("").ToSequence();

        var row = DataRow.Decode(payload);
        var values = new List<string?>();
        foreach (var value in row)
            values.Add(value.IsNull ? null : WireBytes.Utf8(value.Bytes));

        Assert.That(row.ColumnCount, Is.EqualTo(3));
        Assert.That(values, Is.EqualTo(new[] { "alice", null, "" }));
    }

    [Test]
    public void DataRow_value_slices_point_into_the_frame()
    {
        var bytes = new WireBytes().Int16(1).Value("abc").ToArray();
        var payload = new ReadOnlySequence<byte>(bytes);

        var row = DataRow.Decode(payload);
        var values = new PgValue[1];
        row.Values.CopyTo(values);

        Assert.That(values[0].Bytes.Start.GetObject(), Is.SameAs(payload.Start.GetObject()));
        Assert.That(values[0].Bytes.Start.GetInteger(), Is.EqualTo(6), "the value starts after count and length: no copy");
    }

    [Test]
    public void DataRow_with_a_value_overrunning_the_message_is_truncated()
    {
        AssertViolation(() => DataRow.Decode(new WireBytes().Int16(1).Int32(10).Text("abc").ToSequence()), PgProtocolViolation.Truncated);
    }

    [Test]
    public void DataRow_with_fewer_values_than_counted_is_truncated()
    {
        AssertViolation(() => DataRow.Decode(new WireBytes().Int16(2).Value("a").ToSequence()), PgProtocolViolation.Truncated);
    }

    [Test]
    public void DataRow_with_bytes_after_the_last_value_is_rejected()
    {
        AssertViolation(() => DataRow.Decode(new WireBytes().Int16(1).Value("a").Byte(0).ToSequence()), PgProtocolViolation.TrailingBytes);
    }

    [TestCase("SELECT 5", 5L)]
    [TestCase("INSERT 0 12", 12L)]
    [TestCase("UPDATE 0", 0L)]
    [TestCase("CREATE TABLE", null)]
    [TestCase("BEGIN", null)]
    public void CommandComplete_decodes_tag_and_row_count(string tag, long? rows)
    {
        var complete = CommandComplete.Decode(new WireBytes().CString(tag).ToSequence());

        Assert.That(complete.Tag, Is.EqualTo(tag));
        Assert.That(complete.RowCount, Is.EqualTo(rows));
    }

    [Test]
    public void ErrorResponse_decodes_fields_by_code()
    {
        var payload = new WireBytes()
            .Char('S').CString("FATAL").Char('V').CString("FATAL").Char('C').CString("28P01")
            .Char('M').CString("password authentication failed for user \"x\"")
            .Char('D').CString("detail").Char('H').CString("hint").Char('P').CString("7")
            .Char('W').CString("where").Char('F').CString("auth.c").Char('L').CString("326").Char('R').CString("auth_failed")
            .Char('Z').CString("future field")
            .Byte(0).ToSequence();

        var error = ErrorResponse.Decode(payload);

        Assert.That(error.Fields.Severity, Is.EqualTo("FATAL"));
        Assert.That(error.Fields.SqlState, Is.EqualTo("28P01"));
        Assert.That(error.Fields.Message, Is.EqualTo("password authentication failed for user \"x\""));
        Assert.That(error.Fields.Detail, Is.EqualTo("detail"));
        Assert.That(error.Fields.Hint, Is.EqualTo("hint"));
        Assert.That(error.Fields[PgErrorField.Position], Is.EqualTo("7"));
        Assert.That(error.Fields[PgErrorField.Where], Is.EqualTo("where"));
        Assert.That(error.Fields[PgErrorField.Routine], Is.EqualTo("auth_failed"));
        Assert.That(error.Fields[(PgErrorField)'Z'], Is.EqualTo("future field"), "unknown field codes are kept, not rejected");
        Assert.That(error.Fields.All, Has.Count.EqualTo(12));
    }

    [Test]
    public void NoticeResponse_prefers_the_non_localized_severity()
    {
        var notice = NoticeResponse.Decode(new WireBytes().Char('S').CString("HINWEIS").Char('V').CString("NOTICE").Char('M').CString("m").Byte(0).ToSequence());

        Assert.That(notice.Fields.Severity, Is.EqualTo("NOTICE"));
        Assert.That(notice.Fields[PgErrorField.SeverityLocalized], Is.EqualTo("HINWEIS"));
    }

    [Test]
    public void ErrorResponse_without_final_zero_is_truncated()
    {
        AssertViolation(() => ErrorResponse.Decode(new WireBytes().Char('M').CString("m").ToSequence()), PgProtocolViolation.Truncated);
    }

    [Test]
    public void Empty_backend_messages_decode()
    {
        var empty = ReadOnlySequence<byte>.Empty;
        Assert.DoesNotThrow(() => EmptyQueryResponse.Decode(empty));
        Assert.DoesNotThrow(() => ParseComplete.Decode(empty));
        Assert.DoesNotThrow(() => BindComplete.Decode(empty));
        Assert.DoesNotThrow(() => CloseComplete.Decode(empty));
        Assert.DoesNotThrow(() => NoData.Decode(empty));
        Assert.DoesNotThrow(() => PortalSuspended.Decode(empty));
        AssertViolation(() => NoData.Decode(new ReadOnlySequence<byte>(new byte[] { 0 })), PgProtocolViolation.TrailingBytes);
    }

    [Test]
    public void ParameterDescription_decodes_type_oids()
    {
        var description = ParameterDescription.Decode(new WireBytes().Int16(2).UInt32(23).UInt32(25).ToSequence());

        Assert.That(description.ParameterTypes, Is.EqualTo(new uint[] { 23, 25 }));
    }

    [TestCase(CopyDirection.In)]
    [TestCase(CopyDirection.Out)]
    [TestCase(CopyDirection.Both)]
    public void CopyResponse_decodes_formats(CopyDirection direction)
    {
        var response = CopyResponse.Decode(direction, new WireBytes().Byte(1).Int16(2).Int16(1).Int16(0).ToSequence());

        Assert.That(response.Direction, Is.EqualTo(direction));
        Assert.That(response.OverallFormat, Is.EqualTo(1));
        Assert.That(response.ColumnFormats.Count, Is.EqualTo(2));
        Assert.That(response.ColumnFormats.For(0), Is.EqualTo(1));
    }

    [Test]
    public void CopyResponse_text_copy_with_a_binary_column_is_rejected()
    {
        AssertViolation(() => CopyResponse.Decode(CopyDirection.Out, new WireBytes().Byte(0).Int16(1).Int16(1).ToSequence()),
            PgProtocolViolation.InvalidFormatCode);
    }

    [Test]
    public void NotificationResponse_decodes()
    {
        var notification = NotificationResponse.Decode(new WireBytes().Int32(55).CString("jobs").CString("{\"id\":1}").ToSequence());

        Assert.That(notification, Is.EqualTo(new NotificationResponse(55, "jobs", "{\"id\":1}")));
    }

    [Test]
    public void NegotiateProtocolVersion_decodes_options()
    {
        var negotiate = NegotiateProtocolVersion.Decode(new WireBytes().Int32(0).Int32(2).CString("_pq_.a").CString("_pq_.b").ToSequence());

        Assert.That(negotiate.NewestMinorVersion, Is.Zero);
        Assert.That(negotiate.UnrecognizedOptions, Is.EqualTo(new[] { "_pq_.a", "_pq_.b" }));
    }

    [Test]
    public void NegotiateProtocolVersion_with_a_huge_option_count_is_rejected_before_allocating()
    {
        AssertViolation(() => NegotiateProtocolVersion.Decode(new WireBytes().Int32(0).Int32(int.MaxValue).ToSequence()), PgProtocolViolation.InvalidCount);
    }

    [Test]
    public void FunctionCallResponse_decodes_value_and_null()
    {
        Assert.That(WireBytes.Utf8(FunctionCallResponse.Decode(new WireBytes().Value("42").ToSequence()).Result.Bytes), Is.EqualTo("42"));
        Assert.That(FunctionCallResponse.Decode(new WireBytes().Int32(-1).ToSequence()).Result.IsNull, Is.True);
    }
}
