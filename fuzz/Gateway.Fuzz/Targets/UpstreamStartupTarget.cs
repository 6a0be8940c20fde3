using System.Buffers;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Upstream;

namespace Gateway.Fuzz.Targets;

/// <summary>
/// The gateway's client-side startup state machine toward the target (<see cref="UpstreamStartup"/>): every server
/// message a hostile target could send, through authentication (cleartext, MD5, SCRAM) to ReadyForQuery.
/// </summary>
public sealed class UpstreamStartupTarget : FuzzTarget
{
    public override string Name => "upstream-startup";

    protected override void Decode(ReadOnlySequence<byte> input)
    {
        var startup = new UpstreamStartup("fuzz-target:5432", "postgres", "fuzz-password");
        var output = new ArrayBufferWriter<byte>();
        var reader = new SequenceReader<byte>(input);
        while (PgMessageReader.TryReadFrame(ref reader, UpstreamConnector.MaxStartupMessageLength, out var frame))
        {
            if (startup.Process(frame, output))
                return;
        }
    }
}
