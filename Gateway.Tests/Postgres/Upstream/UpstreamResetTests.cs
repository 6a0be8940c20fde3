using System.Buffers;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Upstream;
using Gateway.Tests.Postgres.Protocol;

namespace Gateway.Tests.Postgres.Upstream;

/// <summary>
/// The answer to <c>DISCARD ALL</c> that lets a pooled upstream session go to the next client, message by message:
/// only the exact clean answer passes; everything else closes the session.
/// </summary>
public sealed class UpstreamResetTests
{
    private static byte[] Discarded => WireBytes.Frame('C', new WireBytes().CString("DISCARD ALL"));
    private static byte[] Idle => WireBytes.Frame('Z', new WireBytes().Char('I'));

    [Test]
    public void The_clean_answer_completes_and_keeps_the_reported_settings()
    {
        var reset = new UpstreamReset();

        var done = Run(reset,
            WireBytes.Frame('N', new WireBytes().Byte((byte)'S').CString("NOTICE").Byte((byte)'M').CString("a notice").Byte(0)),
            WireBytes.Frame('A', new WireBytes().Int32(77).CString("left_channel").CString("for the previous client")),
            Discarded,
            WireBytes.Frame('S', new WireBytes().CString("TimeZone").CString("UTC")),
            Idle);

        Assert.That(done, Is.True);
        Assert.That(reset.Parameters, Is.EqualTo(new Dictionary<string, string> { ["TimeZone"] = "UTC" }));
    }

    [Test]
    public void Ready_before_the_discard_completed_is_refused() =>
        Assert.Throws<UpstreamResetException>(() => Run(new UpstreamReset(), Idle));

    [Test]
    public void An_error_is_refused() =>
        Assert.Throws<UpstreamResetException>(() => Run(new UpstreamReset(),
            WireBytes.Frame('E', new WireBytes().Byte((byte)'S').CString("ERROR").Byte((byte)'C').CString("25001")
                .Byte((byte)'M').CString("DISCARD ALL cannot run inside a transaction block").Byte(0)),
            Idle));

    [TestCase('T', Description = "in a transaction")]
    [TestCase('E', Description = "in a failed transaction")]
    public void A_transaction_still_open_afterwards_is_refused(char status) =>
        Assert.Throws<UpstreamResetException>(() => Run(new UpstreamReset(), Discarded, WireBytes.Frame('Z', new WireBytes().Char(status))));

    [Test]
    public void Another_command_tag_is_refused() =>
        Assert.Throws<UpstreamResetException>(() => Run(new UpstreamReset(), WireBytes.Frame('C', new WireBytes().CString("SELECT 1")), Idle));

    [Test]
    public void Rows_left_over_from_the_previous_client_are_refused() =>
        Assert.Throws<UpstreamResetException>(() => Run(new UpstreamReset(),
            WireBytes.Frame('D', new WireBytes().Int16(1).Value("left over")), Discarded, Idle));

    private static bool Run(UpstreamReset reset, params byte[][] frames)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(frames.SelectMany(f => f).ToArray()));
        var done = false;
        while (!done && PgMessageReader.TryReadFrame(ref reader, 1024 * 1024, out var frame))
            done = reset.Process(frame);
        Assert.That(reader.Remaining, Is.Zero, "every message was read");
        return done;
    }
}
