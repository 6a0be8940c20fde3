using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests.Identity;

/// <summary>An RS256 signing key with its key id and its public JWK as a JWKS serves it.</summary>
internal sealed class RsaSigningKey : IDisposable
{
    public RsaSigningKey(string? keyId = null)
    {
        Rsa = RSA.Create(2048);
        KeyId = keyId ?? Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(20));
        Key = new RsaSecurityKey(Rsa) { KeyId = KeyId };
    }

    public RSA Rsa { get; }
    public string KeyId { get; }
    public RsaSecurityKey Key { get; }

    public Dictionary<string, object> Jwk(string issuer)
    {
        var parameters = Rsa.ExportParameters(false);
        return new Dictionary<string, object>
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = KeyId,
            ["x5t"] = KeyId,
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
            ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
            ["issuer"] = issuer,
        };
    }

    public void Dispose() => Rsa.Dispose();
}
