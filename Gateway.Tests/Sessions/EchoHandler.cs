using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Gateway.Core.Sessions;

namespace Gateway.Tests.Sessions;

/// <summary>
/// A line protocol for connection-layer tests: upgrades to TLS first when the listener offers it, counts as
/// authenticated at its first line, echoes every line. <c>boom</c> makes it throw; <c>id</c> answers the session
/// id. It deliberately ignores <see cref="ClientConnection.HandshakeDeadline"/>: the listener must enforce it.
/// </summary>
internal class EchoHandler : IProtocolHandler
{
    public string Protocol => TestGateway.Protocol;

    public async Task RunAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        if (connection.TlsAvailable)
            await connection.UpgradeToTlsAsync(cancellationToken);
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            try
            {
                while (TryReadLine(ref buffer, out var line))
                {
                    connection.MarkAuthenticated();
                    var answer = line switch
                    {
                        "boom" => throw new InvalidOperationException("the handler failed on purpose"),
                        "id" => connection.SessionId,
                        _ => line,
                    };
                    output.Write(Encoding.UTF8.GetBytes(answer + "\n"));
                }
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
            }
            var flush = await output.FlushAsync(cancellationToken);
            if (result.IsCompleted || flush.IsCompleted)
                return;
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out string line)
    {
        var end = buffer.PositionOf((byte)'\n');
        if (end is null)
        {
            line = "";
            return false;
        }
        line = Encoding.UTF8.GetString(buffer.Slice(0, end.Value));
        buffer = buffer.Slice(buffer.GetPosition(1, end.Value));
        return true;
    }
}

/// <summary>The echo protocol with a native refusal: one line, <c>refused: reason</c>.</summary>
internal sealed class RefusingEchoHandler : EchoHandler, IConnectionRefusal
{
    public async ValueTask RefuseAsync(IDuplexPipe pipe, string reason)
    {
        pipe.Output.Write(Encoding.UTF8.GetBytes($"refused: {reason}\n"));
        await pipe.Output.FlushAsync();
    }
}
