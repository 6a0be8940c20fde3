using System.CommandLine;
using Gateway.Core.Config;
using Gateway.Host.Azure;
using Gateway.Host.Replay;

namespace Gateway.Host.Cli;

/// <summary>
/// The <c>replay</c> options that read sessions from a Log Analytics workspace instead of the local log:
/// <c>--from-azure --workspace ID [--credential TYPE] [--token-file PATH] [--query-endpoint URL] [--ca-file PEM]</c>.
/// The credential defaults to the first <c>azure_monitor</c> sink's (the identity that ships the log usually may
/// read it back), else Azure.Identity's default chain.
/// </summary>
internal sealed class ReplayAzureOptions
{
    public Option<bool> FromAzure { get; } = new("--from-azure") { Description = "Read sessions from the Log Analytics workspace the frame log ships to" };
    public Option<string?> Workspace { get; } = new("--workspace") { Description = "With --from-azure: the Log Analytics workspace (customer) id" };

    public Option<string?> Credential { get; } = new("--credential")
    {
        Description = "With --from-azure: default, managed_identity, workload_identity or token_file (default: the first azure_monitor sink's credential)",
    };

    public Option<FileInfo?> TokenFile { get; } = new("--token-file") { Description = "With --credential token_file: a file holding a bearer token for the query API" };
    public Option<string?> QueryEndpoint { get; } = new("--query-endpoint") { Description = $"With --from-azure: the query API (default {LogAnalyticsQueryClient.DefaultEndpoint})" };
    public Option<FileInfo?> CaFile { get; } = new("--ca-file") { Description = "With --from-azure: an extra trusted root (PEM) for the query API (default: the sink's ca_file)" };

    public ReplayAzureOptions() => Credential.AcceptOnlyFromAmong("default", "managed_identity", "workload_identity", "token_file");

    public IEnumerable<Option> All => [FromAzure, Workspace, Credential, TokenFile, QueryEndpoint, CaFile];

    /// <summary>The Azure source, or null with the usage error printed to stderr. A null <paramref name="lookback"/> searches all retained data.</summary>
    public AzureSessionSource? TryCreateSource(ParseResult parse, GatewayConfig config, TimeSpan? lookback)
    {
        if (parse.GetValue(Workspace) is not { Length: > 0 } workspace)
            return Fail("--from-azure needs --workspace ID (the Log Analytics workspace id)");
        var sink = config.Audit.Sinks.FirstOrDefault(s => s.Type == "azure_monitor");
        var credentialConfig = parse.GetValue(Credential) is { } type
            ? new CredentialConfig { Type = type, Path = parse.GetValue(TokenFile)?.FullName }
            : sink?.Credential ?? new CredentialConfig { Type = "default" };
        if (credentialConfig.Type == "token_file" && parse.GetValue(Credential) is not null && parse.GetValue(TokenFile) is null)
            return Fail("--credential token_file needs --token-file PATH");
        Uri? endpoint = null;
        if (parse.GetValue(QueryEndpoint) is { } endpointText
            && (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint) || endpoint.Scheme != Uri.UriSchemeHttps))
            return Fail($"--query-endpoint: '{endpointText}' is not an https URL");

        try
        {
            var credential = SinkCredentialFactory.Create(credentialConfig, config.ResolvePath);
            var options = new LogAnalyticsQueryClientOptions();
            var caFile = parse.GetValue(CaFile)?.FullName ?? (string.IsNullOrEmpty(sink?.CaFile) ? null : config.ResolvePath(sink.CaFile));
            if (caFile is not null)
                options.Transport = PrivateRootTransport.Create(caFile);
            var client = new LogAnalyticsQueryClient(credential, options, endpoint);
            return new AzureSessionSource(client, workspace, lookback);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.Security.Cryptography.CryptographicException)
        {
            return Fail($"--from-azure: {e.Message}");
        }
    }

    /// <summary>Azure options given without <c>--from-azure</c> are a mistake worth naming.</summary>
    public string? Misplaced(ParseResult parse)
    {
        if (parse.GetValue(FromAzure))
            return null;
        var given = All.Skip(1).Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
        return given.Count == 0 ? null : $"{string.Join(", ", given)} only apply with --from-azure";
    }

    private static AzureSessionSource? Fail(string message)
    {
        Console.Error.WriteLine(message);
        return null;
    }
}
