using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests.Identity;

/// <summary>
/// In-repo fixture standing in for an Entra ID tenant, which cannot be reached from here. Runs on Kestrel
/// (HTTPS with a private CA, or plain HTTP) and follows the documented v2.0 wire format: discovery at
/// <c>{tenant}/v2.0/.well-known/openid-configuration</c>, JWKS at <c>{tenant}/discovery/v2.0/keys</c>, the
/// client-credentials grant at <c>{tenant}/oauth2/v2.0/token</c>, and app-only access tokens signed RS256
/// with the v2.0 claims (aud = the API's app id, idtyp = app, roles, oid/sub, tid, azp, uti, ver).
/// </summary>
internal sealed class EntraLikeIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, AppRegistration> _apps = new(StringComparer.Ordinal);
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly Lock _keysGate = new();
    private List<RsaSigningKey> _published;
    private int _jwksRequests;

    private EntraLikeIssuer(WebApplication app, TimeProvider clock)
    {
        _app = app;
        _clock = clock;
        CurrentKey = new RsaSigningKey();
        _published = [CurrentKey];
    }

    /// <summary>The protected API's application (client) id: v2.0 access tokens carry it as <c>aud</c>.</summary>
    public string ApiAppId { get; } = Guid.NewGuid().ToString();

    /// <summary>The API's application id URI; clients ask for <c>{uri}/.default</c>.</summary>
    public string ApiAppIdUri => "api://agent-gateway";

    public string TenantId { get; } = Guid.NewGuid().ToString();
    public string BaseAddress { get; private set; } = "";
    public string Issuer => $"{BaseAddress}/{TenantId}/v2.0";
    public string TokenEndpoint => $"{BaseAddress}/{TenantId}/oauth2/v2.0/token";
    public string JwksUri => $"{BaseAddress}/{TenantId}/discovery/v2.0/keys";

    /// <summary>Short-lived, as the gateway wants agent credentials to be.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    public RsaSigningKey CurrentKey { get; private set; }

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    public static async Task<EntraLikeIssuer> StartAsync(TimeProvider clock, X509Certificate2? serverCertificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (serverCertificate is not null)
                listen.UseHttps(serverCertificate);
        }));
        var issuer = new EntraLikeIssuer(builder.Build(), clock);
        issuer.MapEndpoints();
        await issuer._app.StartAsync();
        issuer.BaseAddress = issuer._app.Urls.Single().TrimEnd('/');
        return issuer;
    }

    /// <summary>An app registration with a client secret, app roles and group memberships.</summary>
    public AppRegistration RegisterApp(string displayName, string[] roles, string[] groups)
    {
        var app = new AppRegistration(Guid.NewGuid().ToString(), Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(30)),
            Guid.NewGuid().ToString(), displayName, roles, groups);
        _apps[app.ClientId] = app;
        return app;
    }

    /// <summary>Starts signing with a new key; the JWKS publishes it next to the old one, as Entra does.</summary>
    public void RotateKey()
    {
        var next = new RsaSigningKey();
        lock (_keysGate)
        {
            _published = [.. _published, next];
            CurrentKey = next;
        }
    }

    /// <summary>The v2.0 app-only access token claims the token endpoint would issue now.</summary>
    public Dictionary<string, object> AppTokenClaims(AppRegistration app)
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            ["aud"] = ApiAppId,
            ["iss"] = Issuer,
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + (long)TokenLifetime.TotalSeconds,
            ["aio"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24)),
            ["azp"] = app.ClientId,
            ["azpacr"] = "1",
            ["idtyp"] = "app",
            ["oid"] = app.ServicePrincipalId,
            ["rh"] = "0.AAAA" + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12)) + ".",
            ["roles"] = app.Roles,
            ["sub"] = app.ServicePrincipalId,
            ["tid"] = TenantId,
            ["uti"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
            ["ver"] = "2.0",
        };
        if (app.Groups.Length > 0)
            claims["groups"] = app.Groups;
        return claims;
    }

    /// <summary>Signs any payload: with the issuer's current key unless a test supplies another (a forger's).</summary>
    public string Sign(IDictionary<string, object> payload, SecurityKey? key = null, string algorithm = SecurityAlgorithms.RsaSha256) =>
        _handler.CreateToken(JsonSerializer.Serialize(payload), new SigningCredentials(key ?? CurrentKey.Key, algorithm));

    private void MapEndpoints()
    {
        _app.MapGet($"/{TenantId}/v2.0/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["token_endpoint"] = TokenEndpoint,
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "private_key_jwt", "client_secret_basic" },
            ["jwks_uri"] = JwksUri,
            ["response_modes_supported"] = new[] { "query", "fragment", "form_post" },
            ["subject_types_supported"] = new[] { "pairwise" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["response_types_supported"] = new[] { "code", "id_token", "code id_token", "id_token token" },
            ["scopes_supported"] = new[] { "openid", "profile", "email", "offline_access" },
            ["issuer"] = Issuer,
            ["request_uri_parameter_supported"] = false,
            ["authorization_endpoint"] = $"{BaseAddress}/{TenantId}/oauth2/v2.0/authorize",
            ["end_session_endpoint"] = $"{BaseAddress}/{TenantId}/oauth2/v2.0/logout",
            ["claims_supported"] = new[] { "sub", "iss", "aud", "exp", "iat", "nbf", "name", "oid", "tid", "ver", "roles", "groups", "idtyp" },
            ["tenant_region_scope"] = "EU",
            ["cloud_instance_name"] = "microsoftonline.com",
        }));

        _app.MapGet($"/{TenantId}/discovery/v2.0/keys", () =>
        {
            Interlocked.Increment(ref _jwksRequests);
            List<RsaSigningKey> published;
            lock (_keysGate)
                published = _published;
            return Results.Json(new { keys = published.Select(key => key.Jwk(Issuer)).ToArray() });
        });

        _app.MapPost($"/{TenantId}/oauth2/v2.0/token", (Delegate)IssueTokenAsync);
    }

    /// <summary>The client-credentials grant (RFC 6749 4.4, client_secret_post), answered as Entra answers it.</summary>
    private async Task<IResult> IssueTokenAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
            return Error(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.");
        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != "client_credentials")
            return Error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
        if (!_apps.TryGetValue(form["client_id"].ToString(), out var app))
            return Error(400, "unauthorized_client", 700016, "Application was not found in the directory.");
        if (!CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(form["client_secret"].ToString()), System.Text.Encoding.UTF8.GetBytes(app.Secret)))
            return Error(401, "invalid_client", 7000215, "Invalid client secret provided.");
        if (form["scope"] != $"{ApiAppIdUri}/.default" && form["scope"] != $"{ApiAppId}/.default")
            return Error(400, "invalid_scope", 1002012, "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.");

        context.Response.Headers.CacheControl = "no-store, no-cache";
        context.Response.Headers.Pragma = "no-cache";
        var lifetime = (long)TokenLifetime.TotalSeconds;
        return Results.Json(new Dictionary<string, object>
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = lifetime,
            ["ext_expires_in"] = lifetime,
            ["access_token"] = Sign(AppTokenClaims(app)),
        });
    }

    private IResult Error(int status, string error, int code, string description) => Results.Json(new Dictionary<string, object>
    {
        ["error"] = error,
        ["error_description"] = $"AADSTS{code}: {description} Trace ID: {Guid.NewGuid()} Timestamp: {_clock.GetUtcNow():yyyy-MM-dd HH:mm:ss}Z",
        ["error_codes"] = new[] { code },
        ["timestamp"] = _clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        ["trace_id"] = Guid.NewGuid().ToString(),
        ["correlation_id"] = Guid.NewGuid().ToString(),
    }, statusCode: status);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        lock (_keysGate)
        {
            foreach (var key in _published)
                key.Dispose();
        }
    }
}

/// <summary>An app registration (client) in the fixture tenant; its service principal is the token's subject.</summary>
internal sealed record AppRegistration(string ClientId, string Secret, string ServicePrincipalId, string DisplayName, string[] Roles, string[] Groups);
