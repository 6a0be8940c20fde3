namespace Gateway.Core.Config;

public sealed class IdentityConfig
{
    /// <summary>The embedded ES256 issuer used by <c>gateway token</c> (development and demos).</summary>
    public bool DevIssuer { get; set; }

    /// <summary>Issuer URL the dev issuer writes into tokens.</summary>
    public string DevIssuerName { get; set; } = "urn:gateway:dev-issuer";

    /// <summary>Audience the dev issuer writes and expects.</summary>
    public string DevAudience { get; set; } = "api://agent-gateway";

    /// <summary>Trusted external OIDC issuers (Entra ID, Okta, ...).</summary>
    public List<OidcIssuerConfig> Oidc { get; set; } = [];

    /// <summary>Tokens whose lifetime (exp - iat, or exp - nbf) exceeds this are refused.</summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Validation results are cached by token hash until expiry; this bounds the cache.</summary>
    public int CacheSize { get; set; } = 10_000;
}

public sealed class OidcIssuerConfig
{
    /// <summary>The <c>iss</c> value tokens carry, e.g. <c>https://login.microsoftonline.com/&lt;tenant&gt;/v2.0</c>.</summary>
    public string Issuer { get; set; } = "";

    public string Audience { get; set; } = "";

    /// <summary>Claim holding group ids or names.</summary>
    public string GroupsClaim { get; set; } = "groups";

    /// <summary>Discovery document; defaults to <c>{issuer}/.well-known/openid-configuration</c>.</summary>
    public string? Metadata { get; set; }

    /// <summary>
    /// Claim that tells agents from humans. Defaults to Entra's <c>idtyp</c> (<c>app</c> = agent).
    /// </summary>
    public string KindClaim { get; set; } = "idtyp";

    /// <summary>Values of <see cref="KindClaim"/> that mean an agent.</summary>
    public List<string> AgentValues { get; set; } = ["app"];

    /// <summary>Extra trust root for the issuer's HTTPS endpoints (private issuers, tests).</summary>
    public string? CaFile { get; set; }

    /// <summary>Refuse plain-HTTP metadata; off only for loopback test issuers.</summary>
    public bool RequireHttps { get; set; } = true;
}
