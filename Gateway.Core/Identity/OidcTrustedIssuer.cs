using System.Net;
using Gateway.Core.Config;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect.Configuration;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Core.Identity;

/// <summary>
/// An external OIDC issuer (Entra ID, Okta, ...): discovery document and JWKS through IdentityModel's
/// <see cref="ConfigurationManager{T}"/>, which also refreshes them on its own schedule. A forced refresh
/// (a token names a key id we have not seen) is rate-limited, so made-up key ids cannot make the gateway
/// hammer the issuer, and shared by every caller that asks while it runs.
/// </summary>
/// <remarks>
/// Since IdentityModel 8, <c>RequestRefresh</c> fetches on a background thread, so a retry right after it
/// still sees the old keys; its blocking mode is a process-wide AppContext switch latched by whichever code
/// touches IdentityModel first. A forced refresh therefore fetches through a fresh manager, awaited, and
/// swaps it in only when the fetch succeeded (the old keys stay in use otherwise).
/// </remarks>
internal sealed class OidcTrustedIssuer : TrustedIssuer, IDisposable
{
    /// <summary>At most one forced key refresh per issuer in this interval.</summary>
    internal static readonly TimeSpan ForcedRefreshInterval = TimeSpan.FromSeconds(30);

    private readonly string _metadataAddress;
    private readonly HttpDocumentRetriever _retriever;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly string _kindClaim;
    private readonly HashSet<string> _agentValues;
    private readonly Lock _refreshGate = new();
    private ConfigurationManager<OpenIdConnectConfiguration> _configuration;
    private Task? _refreshing;
    private DateTimeOffset _lastForcedRefresh = DateTimeOffset.MinValue;

    /// <exception cref="InvalidOperationException">The entry cannot be used (plain HTTP off loopback, bad ca_file).</exception>
    public OidcTrustedIssuer(OidcIssuerConfig config, TimeProvider time, Func<string, string> resolvePath)
        : base(config.Issuer, config.Audience, config.GroupsClaim)
    {
        _time = time;
        _kindClaim = config.KindClaim;
        _agentValues = new HashSet<string>(config.AgentValues, StringComparer.Ordinal);

        _metadataAddress = config.Metadata ?? $"{config.Issuer.TrimEnd('/')}/.well-known/openid-configuration";
        if (!config.RequireHttps && !IsLoopback(_metadataAddress))
        {
            throw new InvalidOperationException(
                $"identity.oidc issuer {config.Issuer}: require_https: false is allowed for loopback issuers only ({_metadataAddress})");
        }

        _http = IssuerHttpClient.Create(config.CaFile is null ? null : resolvePath(config.CaFile));
        _retriever = new HttpDocumentRetriever(_http) { RequireHttps = config.RequireHttps };
        _configuration = CreateManager();
    }

    public override IReadOnlySet<string> Algorithms => SigningAlgorithms.Asymmetric;

    public override async ValueTask<IReadOnlyCollection<SecurityKey>> GetSigningKeysAsync(CancellationToken cancellationToken)
    {
        var document = await FetchAsync(Volatile.Read(ref _configuration), cancellationToken).ConfigureAwait(false);
        return document.SigningKeys.ToArray();
    }

    public override async ValueTask<bool> TryRefreshKeysAsync(CancellationToken cancellationToken)
    {
        Task refresh;
        var now = _time.GetUtcNow();
        lock (_refreshGate)
        {
            if (_refreshing is { } running)
            {
                refresh = running;
            }
            else
            {
                if (now - _lastForcedRefresh < ForcedRefreshInterval)
                    return false;
                _lastForcedRefresh = now;
                refresh = _refreshing = RefreshAsync();
            }
        }
        await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task RefreshAsync()
    {
        try
        {
            var fresh = CreateManager();
            // Shared by every waiting caller, so no single caller's cancellation may abort it.
            await FetchAsync(fresh, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _configuration, fresh);
        }
        finally
        {
            lock (_refreshGate)
                _refreshing = null;
        }
    }

    private async Task<OpenIdConnectConfiguration> FetchAsync(
        ConfigurationManager<OpenIdConnectConfiguration> manager, CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration document;
        try
        {
            document = await manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new IssuerUnavailableException($"signing keys of issuer {ClientText.Quote(Issuer)} could not be fetched", e);
        }
        // OIDC Discovery 4.3: the document must name the issuer it was fetched for.
        if (!string.Equals(document.Issuer, Issuer, StringComparison.Ordinal))
        {
            throw new IssuerUnavailableException(
                $"discovery document for issuer {ClientText.Quote(Issuer)} names a different issuer {ClientText.Quote(document.Issuer)}");
        }
        return document;
    }

    private ConfigurationManager<OpenIdConnectConfiguration> CreateManager() => new(
        _metadataAddress,
        new OpenIdConnectConfigurationRetriever(),
        _retriever,
        new OpenIdConnectConfigurationValidator());

    protected override bool TryGetKind(JsonWebToken token, out IdentityKind kind, out string reason)
    {
        kind = token.TryGetClaim(_kindClaim, out var claim) && _agentValues.Contains(claim.Value)
            ? IdentityKind.Agent
            : IdentityKind.Human;
        reason = "";
        return true;
    }

    public void Dispose() => _http.Dispose();

    private static bool IsLoopback(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri)
        && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
}
