using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests.Identity;

/// <summary>What an attacker can build without the issuer's private key.</summary>
internal static class ForgedTokens
{
    /// <summary>An unsigned token: header <c>alg: none</c>, empty signature.</summary>
    public static string Unsigned(IDictionary<string, object> payload) =>
        $"{Segment(new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "JWT" })}.{Segment(payload)}.";

    /// <summary>
    /// The algorithm-confusion attack: HS256 with the issuer's public key (as PEM, what a JWKS consumer
    /// could turn it into) as the HMAC secret, naming the issuer's real kid.
    /// </summary>
    public static string HmacWithPublicKey(IDictionary<string, object> payload, RsaSigningKey issuerKey)
    {
        var secret = Encoding.ASCII.GetBytes(issuerKey.Rsa.ExportSubjectPublicKeyInfoPem());
        var key = new SymmetricSecurityKey(secret) { KeyId = issuerKey.KeyId };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }
            .CreateToken(JsonSerializer.Serialize(payload), new SigningCredentials(key, SecurityAlgorithms.HmacSha256));
    }

    /// <summary>Keeps header and signature, swaps the payload: what tampering with a real token gives.</summary>
    public static string WithPayload(string token, IDictionary<string, object> payload)
    {
        var parts = token.Split('.');
        return $"{parts[0]}.{Segment(payload)}.{parts[2]}";
    }

    /// <summary>Decodes a token's payload so a test can change one claim.</summary>
    public static Dictionary<string, object> PayloadOf(string token)
    {
        var json = Base64UrlEncoder.Decode(token.Split('.')[1]);
        return JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!
            .ToDictionary(pair => pair.Key, pair => (object)pair.Value);
    }

    /// <summary>A key the issuer never published, under whatever kid the forger chooses.</summary>
    public static RsaSecurityKey ForgerKey(string keyId) => new(ForgerRsa.Value) { KeyId = keyId };

    // RSA key generation is slow and erratic on a loaded machine; one forger key serves every test.
    private static readonly Lazy<RSA> ForgerRsa = new(() => RSA.Create(2048));

    private static string Segment(object value) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(value));
}
