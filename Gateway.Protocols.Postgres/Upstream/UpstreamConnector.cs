using System.IO.Pipelines;
using Gateway.Core.Config;
using Gateway.Protocols.Postgres.Protocol;

namespace Gateway.Protocols.Postgres.Upstream;

/// <summary>
/// Opens an authenticated session to the target PostgreSQL: TCP (and TLS per the target's mode), StartupMessage,
/// the auth exchange with the gateway's injected credential (trust, password, md5, SCRAM-SHA-256), then the
/// server's parameters up to the first ReadyForQuery. The whole attempt is bounded by the target's connect_timeout.
/// </summary>
public static class UpstreamConnector
{
    /// <summary>Cap on any one server message during startup (parameters and errors are small).</summary>
    public const int MaxStartupMessageLength = UpstreamMessages.MaxMessageLength;

    /// <exception cref="UpstreamConnectException">Any failure to reach, secure, or authenticate to the target.</exception>
    /// <exception cref="OperationCanceledException">Only when <paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<UpstreamConnection> ConnectAsync(
        TargetConfig target,
        string user,
        string database,
        IReadOnlyDictionary<string, string> extraStartupParams,
        string? password,
        CancellationToken cancellationToken)
    {
        var parameters = BuildStartupParameters(user, database, extraStartupParams);
        var name = $"{target.Host}:{target.Port}";

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(target.ConnectTimeout);
        UpstreamChannel? channel = null;
        try
        {
            channel = await UpstreamChannel.OpenAsync(target, timeout.Token).ConfigureAwait(false);
            var startup = new UpstreamStartup(name, user, password);
            PgFrontendWriter.WriteStartupMessage(channel.Transport.Output, parameters);
            await channel.Transport.Output.FlushAsync(timeout.Token).ConfigureAwait(false);
            await RunStartupAsync(channel.Transport, startup, timeout.Token).ConfigureAwait(false);

            if (!startup.HasKeyData)
            {
                // Without BackendKeyData the session could never cancel a query; PostgreSQL always sends it.
                throw new UpstreamConnectException(UpstreamConnectStage.Protocol, $"upstream {name} sent no BackendKeyData");
            }
            var connection = new UpstreamConnection(channel, name, startup.ProcessId, startup.SecretKey,
                startup.Parameters, startup.TransactionStatus);
            channel = null;
            return connection;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamConnectException(UpstreamConnectStage.Timeout,
                $"connecting to upstream {name} timed out after {DurationText.Format(target.ConnectTimeout)}", e);
        }
        catch (PgProtocolException e)
        {
            throw new UpstreamConnectException(UpstreamConnectStage.Protocol, $"upstream {name} broke the protocol during startup: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new UpstreamConnectException(UpstreamConnectStage.Protocol, $"connection to upstream {name} failed during startup: {e.Message}", e);
        }
        finally
        {
            if (channel is not null)
                await channel.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal static List<KeyValuePair<string, string>> BuildStartupParameters(
        string user, string database, IReadOnlyDictionary<string, string> extra)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentException.ThrowIfNullOrEmpty(database);
        var parameters = new List<KeyValuePair<string, string>>(extra.Count + 2) { new("user", user), new("database", database) };
        foreach (var (key, value) in extra)
        {
            if (key is "user" or "database")
                throw new ArgumentException($"startup parameter \"{key}\" is set by the connector, not by extra parameters", nameof(extra));
            parameters.Add(new(key, value));
        }
        return parameters;
    }

    private static async Task RunStartupAsync(IDuplexPipe transport, UpstreamStartup startup, CancellationToken cancellationToken)
    {
        if (!await UpstreamMessages.ReadUntilAsync(transport, frame => startup.Process(frame, transport.Output), cancellationToken).ConfigureAwait(false))
            throw new UpstreamConnectException(UpstreamConnectStage.Protocol,
                $"upstream closed the connection during startup (state {startup.Current})");
    }
}
