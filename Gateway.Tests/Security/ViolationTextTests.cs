using System.Buffers;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Tests.Postgres.Protocol;

namespace Gateway.Tests.Security;

/// <summary>
/// The text of a protocol violation quotes bytes the peer chose. A NUL there used to make the FATAL
/// unwritable (a protocol string cannot hold one), so the client got no error at all.
/// </summary>
public sealed class ViolationTextTests
{
    [TestCase((byte)0, "0x00")]
    [TestCase((byte)0x1B, "0x1b")]
    [TestCase((byte)0xFF, "0xff")]
    [TestCase((byte)'Q', "'Q'")]
    public void A_type_byte_is_quoted_printably(byte type, string expected) =>
        Assert.That(PgMessageReader.TypeText(type), Is.EqualTo(expected));

    [Test]
    public void A_NUL_type_with_a_bad_length_gives_an_error_the_gateway_can_send()
    {
        var bytes = new WireBytes().Byte(0).Int32(0).ToArray();

        var e = Assert.Throws<PgProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            PgMessageReader.TryReadFrame(ref reader, 1024, out _);
        })!;

        Assert.That(e.Message, Does.Not.Contain("\0"));
        var writer = new ArrayBufferWriter<byte>();
        Assert.DoesNotThrow(() => PgBackendWriter.WriteErrorResponse(writer, e.ToError()));
    }

    [Test]
    public void A_Describe_of_kind_NUL_gives_an_error_the_gateway_can_send()
    {
        var payload = new WireBytes().Byte(0).CString("").ToSequence();

        var e = Assert.Throws<PgProtocolException>(() => Gateway.Protocols.Postgres.Protocol.Messages.Describe.Decode(payload))!;

        Assert.That(e.Message, Does.Contain("target 0x00"));
        Assert.DoesNotThrow(() => PgBackendWriter.WriteErrorResponse(new ArrayBufferWriter<byte>(), e.ToError()));
    }
}
