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
/// <see cref="ConfigurationManager{T}"/>, which refreshes on its own schedule and on request. Requests
/// are rate-limited here, so tokens naming made-up key ids cannot make the gateway hammer the issuer.
/// </summary>
internal sealed class OidcTrustedIssuer : TrustedIssuer, IDisposable
{
    /// <summary>At most one forced key refresh per issuer in this interval.</summary>
    internal static readonly TimeSpan ForcedRefreshInterval = TimeSpan.FromSeconds(30);

    private readonly ConfigurationManager<OpenIdConnectConfiguration> _configuration;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly string _kindClaim;
    private readonly HashSet<string> _agentValues;
    private readonly Lock _refreshGate = new();
    private DateTimeOffset _lastForcedRefresh = DateTimeOffset.MinValue;

    static OidcTrustedIssuer()
    {
        // Since IdentityModel 8, RequestRefresh fetches on a background thread by default, so the retry right
        // after it would still see the old keys. This documented switch restores the historical contract: the
        // next GetConfigurationAsync after RequestRefresh fetches before returning. Set before any manager runs.
        AppContext.SetSwitch("Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking", true);
    }

    /// <exception cref="InvalidOperationException">The entry cannot be used (plain HTTP off loopback, bad ca_file).</exception>
    public OidcTrustedIssuer(OidcIssuerConfig config, TimeProvider time, Func<string, string> resolvePath)
        : base(config.Issuer, config.Audience, config.GroupsClaim)
    {
        _time = time;
        _kindClaim = config.KindClaim;
        _agentValues = new HashSet<string>(config.AgentValues, StringComparer.Ordinal);

        var metadata = config.Metadata ?? $"{config.Issuer.TrimEnd('/')}/.well-known/openid-configuration";
        if (!config.RequireHttps && !IsLoopback(metadata))
            throw new InvalidOperationException(
                $"identity.oidc issuer {config.Issuer}: require_https: false is allowed for loopback issuers only ({metadata})");

        _http = IssuerHttpClient.Create(config.CaFile is null ? null : resolvePath(config.CaFile));
        _configuration = new ConfigurationManager<OpenIdConnectConfiguration>(
            metadata,
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(_http) { RequireHttps = config.RequireHttps },
            new OpenIdConnectConfigurationValidator())
        {
            // Our own limit (ForcedRefreshInterval, on the gateway's clock) governs forced refreshes.
            RefreshInterval = BaseConfigurationManager.MinimumRefreshInterval,
        };
    }

    public string MetadataAddress => _configuration.MetadataAddress;

    public override IReadOnlySet<string> Algorithms => SigningAlgorithms.Asymmetric;

    public override async ValueTask<IReadOnlyCollection<SecurityKey>> GetSigningKeysAsync(CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration document;
        try
        {
            document = await _configuration.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new IssuerUnavailableException($"signing keys of issuer {ClientText.Quote(Issuer)} could not be fetched", e);
        }
        // OIDC Discovery 4.3: the document must name the issuer it was fetched for.
        if (!string.Equals(document.Issuer, Issuer, StringComparison.Ordinal))
            throw new IssuerUnavailableException(
                $"discovery document for issuer {ClientText.Quote(Issuer)} names a different issuer {ClientText.Quote(document.Issuer)}");
        return document.SigningKeys.ToArray();
    }

    public override bool TryRequestRefresh()
    {
        var now = _time.GetUtcNow();
        lock (_refreshGate)
        {
            if (now - _lastForcedRefresh < ForcedRefreshInterval)
                return false;
            _lastForcedRefresh = now;
        }
        _configuration.RequestRefresh();
        return true;
    }

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
