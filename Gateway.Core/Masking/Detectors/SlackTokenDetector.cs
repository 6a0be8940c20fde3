using static Gateway.Core.Masking.AsciiClass;

namespace Gateway.Core.Masking;

/// <summary>
/// Slack tokens: <c>xoxa-</c>, <c>xoxb-</c>, <c>xoxp-</c>, <c>xoxr-</c>, <c>xoxs-</c> followed by at least 10 letters,
/// digits or dashes. Prefilter: the bytes <c>xox</c>.
/// </summary>
internal sealed class SlackTokenDetector : Detector
{
    private const int MinBody = 10;

    public override string Name => "slack_token";

    public override string Description => "Slack tokens (xoxa-, xoxb-, xoxp-, xoxr-, xoxs-)";

    internal override Triggers Requires => Triggers.Dash;

    internal override int MinLength => 15;

    internal override void Find(ref ValueScan scan)
    {
        var value = scan.Utf8;
        var from = 0;
        while (from < value.Length)
        {
            var start = value[from..].IndexOf("xox"u8);
            if (start < 0)
                return;
            start += from;
            from = start + 3;
            if (!StartsWord(value, start) || start + 5 > value.Length
                || value[start + 3] is not ((byte)'a' or (byte)'b' or (byte)'p' or (byte)'r' or (byte)'s')
                || value[start + 4] != '-')
                continue;
            var body = AsciiClass.Run(value, start + 5, b => IsLetterOrDigit(b) || b == '-');
            if (body < MinBody)
                continue;
            scan.Add(start, 5 + body);
            from = start + 5 + body;
        }
    }
}
