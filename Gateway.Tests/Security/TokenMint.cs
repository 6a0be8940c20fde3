using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Core.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests.Security;

/// <summary>
/// Mints tokens for a gateway's dev issuer with <see cref="JsonWebTokenHandler"/>, honest or forged: the test holds
/// the issuer's real private key (read from the state directory, as an attacker who stole it would) and can break
/// any one property of an otherwise valid token.
/// </summary>
internal sealed class TokenMint : IDisposable
{
    private readonly ECDsa _key;
    private readonly ECDsa _publicKey;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public static TokenMint For(string stateDirectory) => new(stateDirectory);

    private TokenMint(string stateDirectory, string issuer = "urn:gateway:dev-issuer", string audience = "api://agent-gateway")
    {
        _key = ECDsa.Create();
        _key.ImportFromPem(File.ReadAllText(Path.Combine(stateDirectory, "keys", "dev-issuer.pem")));
        _publicKey = ECDsa.Create(_key.ExportParameters(includePrivateParameters: false));
        KeyId = Base64UrlEncoder.Encode(new ECDsaSecurityKey(_publicKey).ComputeJwkThumbprint());
        Issuer = issuer;
        Audience = audience;
    }

    public string KeyId { get; }
    public string Issuer { get; }
    public string Audience { get; }

    /// <summary>The claims of a valid agent token living <paramref name="lifetime"/> from now (whole seconds).</summary>
    public Dictionary<string, object> Claims(TimeSpan lifetime, string subject = "agent-007")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = subject,
            [DevIssuer.GroupsClaim] = new[] { "ai-agents" },
            [DevIssuer.KindClaim] = "agent",
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + (long)lifetime.TotalSeconds,
            ["jti"] = Guid.NewGuid().ToString("n"),
        };
    }

    /// <summary>ES256 with the issuer's real key and kid.</summary>
    public string Sign(IDictionary<string, object> claims) =>
        Sign(claims, new SigningCredentials(new ECDsaSecurityKey(_key) { KeyId = KeyId }, SecurityAlgorithms.EcdsaSha256));

    /// <summary>ES256 with a key the issuer never had, under the issuer's real kid.</summary>
    public string SignWithForeignKey(IDictionary<string, object> claims)
    {
        using var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return Sign(claims, new SigningCredentials(new ECDsaSecurityKey(foreign) { KeyId = KeyId }, SecurityAlgorithms.EcdsaSha256));
    }

    /// <summary>Algorithm confusion: HS256 keyed with the issuer's public key as PEM, under the real kid.</summary>
    public string SignHs256WithPublicKey(IDictionary<string, object> claims)
    {
        var secret = Encoding.ASCII.GetBytes(_publicKey.ExportSubjectPublicKeyInfoPem());
        return Sign(claims, new SigningCredentials(new SymmetricSecurityKey(secret) { KeyId = KeyId }, SecurityAlgorithms.HmacSha256));
    }

    /// <summary>Header <c>alg: none</c>, empty signature.</summary>
    public static string Unsigned(IDictionary<string, object> claims) =>
        $"{Segment(new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "JWT" })}.{Segment(claims)}.";

    private string Sign(IDictionary<string, object> claims, SigningCredentials credentials) =>
        _handler.CreateToken(JsonSerializer.Serialize(claims), credentials);

    private static string Segment(object value) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(value));

    public void Dispose()
    {
        _key.Dispose();
        _publicKey.Dispose();
    }
}
