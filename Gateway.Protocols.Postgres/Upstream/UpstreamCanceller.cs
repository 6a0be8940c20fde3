using Gateway.Core.Config;
using Gateway.Protocols.Postgres.Protocol;

namespace Gateway.Protocols.Postgres.Upstream;

/// <summary>
/// Delivers a CancelRequest for an upstream backend: a fresh connection (TLS per the target's mode, as libpq
/// does), the 16-byte request, then waits for the server to close it. The server never answers, so success
/// only means the request was delivered.
/// </summary>
public static class UpstreamCanceller
{
    /// <exception cref="UpstreamConnectException">The target could not be reached within its connect_timeout.</exception>
    public static async Task SendCancelAsync(TargetConfig target, int processId, int secretKey, CancellationToken cancellationToken = default)
    {
        var name = $"{target.Host}:{target.Port}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(target.ConnectTimeout);
        var delivered = false;
        try
        {
            await using var channel = await UpstreamChannel.OpenAsync(target, timeout.Token).ConfigureAwait(false);
            PgFrontendWriter.WriteCancelRequest(channel.Transport.Output, processId, secretKey);
            await channel.Transport.Output.FlushAsync(timeout.Token).ConfigureAwait(false);
            delivered = true;
            while (true)
            {
                var result = await channel.Transport.Input.ReadAsync(timeout.Token).ConfigureAwait(false);
                channel.Transport.Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                    return;
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamConnectException(UpstreamConnectStage.Timeout,
                $"sending a cancel request to upstream {name} timed out after {DurationText.Format(target.ConnectTimeout)}", e);
        }
        catch (IOException e) when (!delivered)
        {
            throw new UpstreamConnectException(UpstreamConnectStage.Connect, $"sending a cancel request to upstream {name} failed: {e.Message}", e);
        }
        catch (IOException)
        {
            // Delivered: the server closes right after reading the request, which TLS can report as a reset.
        }
    }
}
