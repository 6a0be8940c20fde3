using System.Buffers;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Protocol.Messages;

namespace Gateway.Fuzz.Targets;

/// <summary>
/// The gateway's side of a client's startup, in the session's order: startup-phase packets (SSLRequest,
/// GSSENCRequest, CancelRequest, StartupMessage) until a StartupMessage, then the typed PasswordMessage that
/// carries the token.
/// </summary>
public sealed class StartupTarget : FuzzTarget
{
    /// <summary>The session's cap on the password message.</summary>
    private const int MaxPasswordMessageBytes = 64 * 1024;

    public override string Name => "startup";

    protected override void Decode(ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        while (PgMessageReader.TryReadStartupFrame(ref reader, out var frame))
        {
            switch (frame.Kind)
            {
                case StartupRequestKind.CancelRequest:
                    _ = CancelRequest.Decode(frame);
                    return; // a cancel connection ends here
                case StartupRequestKind.Startup:
                    var startup = StartupMessage.Decode(frame);
                    _ = startup.User?.Length + startup.Database?.Length + startup.Parameters.Count;
                    if (PgMessageReader.TryReadFrame(ref reader, MaxPasswordMessageBytes, out var password) && password.Frontend == FrontendMessageType.Password)
                        _ = PasswordMessage.Decode(password.Payload);
                    return;
            }
        }
    }
}
