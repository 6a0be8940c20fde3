using System.Buffers;
using System.Text;
using Gateway.Core.Sessions;
using Gateway.Tests.Sessions;

namespace Gateway.Tests.Hosting;

/// <summary>
/// A session with one long command, for shutdown tests: on <c>work</c> it starts, waits for the test to
/// release it, answers <c>done</c>, then closes when the gateway drains. With
/// <see cref="IgnoresDraining"/> it never closes by itself, so only an abort ends it.
/// </summary>
internal sealed class WorkHandler : IProtocolHandler
{
    public string Protocol => TestGateway.Protocol;

    public bool IgnoresDraining { get; init; }

    public TaskCompletionSource WorkStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource ReleaseWork { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether the session's cancellation token fired (the listener aborted it).</summary>
    public bool WasAborted { get; private set; }

    public bool SawDraining { get; private set; }

    public async Task RunAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        connection.MarkAuthenticated();
        try
        {
            var input = connection.Transport.Input;
            while (true)
            {
                var result = await input.ReadAsync(cancellationToken);
                var line = result.Buffer.PositionOf((byte)'\n');
                if (line is not null)
                {
                    input.AdvanceTo(result.Buffer.GetPosition(1, line.Value));
                    break;
                }
                input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                if (result.IsCompleted)
                    return;
            }

            WorkStarted.TrySetResult();
            await ReleaseWork.Task.WaitAsync(cancellationToken);
            await connection.Transport.Output.WriteAsync(Encoding.UTF8.GetBytes("done\n"), cancellationToken);

            using var until = CancellationTokenSource.CreateLinkedTokenSource(
                cancellationToken, IgnoresDraining ? CancellationToken.None : connection.Draining);
            await Task.Delay(Timeout.InfiniteTimeSpan, until.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            SawDraining = connection.Draining.IsCancellationRequested;
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            WasAborted = cancellationToken.IsCancellationRequested;
        }
    }
}
