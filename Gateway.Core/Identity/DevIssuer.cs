using System.Security.Cryptography;
using Gateway.Core.Config;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Core.Identity;

/// <summary>
/// The embedded development issuer (<c>identity.dev_issuer: true</c>): mints ES256 tokens for
/// <c>gateway token</c> and demos. Its key lives in <c>{state_dir}/keys/dev-issuer.pem</c>, its <c>kid</c>
/// is the key's RFC 7638 thumbprint, so it stays the same across restarts.
/// </summary>
public sealed class DevIssuer : IDisposable
{
    public const string Algorithm = SecurityAlgorithms.EcdsaSha256;

    /// <summary>Claim carrying <c>agent</c> or <c>human</c> in dev tokens.</summary>
    public const string KindClaim = "kind";

    public const string GroupsClaim = "groups";

    private readonly ECDsa _privateKey;
    private readonly ECDsa _publicKey;
    private readonly ECDsaSecurityKey _signingKey;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly TimeProvider _time;

    /// <exception cref="InvalidOperationException">dev_issuer is off, or the key file is unusable.</exception>
    public DevIssuer(IdentityConfig identity, string stateDirectory, TimeProvider? time = null)
    {
        if (!identity.DevIssuer)
            throw new InvalidOperationException("the development issuer is off (set identity.dev_issuer: true to use it)");
        Issuer = identity.DevIssuerName;
        Audience = identity.DevAudience;
        MaxLifetime = identity.MaxTokenLifetime;
        KeyPath = Path.Combine(stateDirectory, "keys", "dev-issuer.pem");
        _time = time ?? TimeProvider.System;

        _privateKey = DevIssuerKeyFile.LoadOrCreate(KeyPath);
        _publicKey = ECDsa.Create(_privateKey.ExportParameters(includePrivateParameters: false));
        KeyId = Base64UrlEncoder.Encode(new ECDsaSecurityKey(_publicKey).ComputeJwkThumbprint());
        _signingKey = new ECDsaSecurityKey(_privateKey) { KeyId = KeyId };
        VerificationKey = new ECDsaSecurityKey(_publicKey) { KeyId = KeyId };
    }

    public string Issuer { get; }
    public string Audience { get; }
    public TimeSpan MaxLifetime { get; }
    public string KeyPath { get; }

    /// <summary>RFC 7638 JWK thumbprint of the public key, base64url.</summary>
    public string KeyId { get; }

    /// <summary>The public half, for validation.</summary>
    public SecurityKey VerificationKey { get; }

    /// <summary>Mints a signed token with iss, aud, sub, groups, kind, iat, nbf, exp and jti.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is not positive or exceeds max_token_lifetime.</exception>
    public string Issue(string subject, IEnumerable<string> groups, TimeSpan ttl, IdentityKind kind = IdentityKind.Agent)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentNullException.ThrowIfNull(groups);
        if (ttl <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ttl), "ttl must be positive");
        if (ttl > MaxLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl),
                $"ttl {DurationText.Format(ttl)} exceeds identity.max_token_lifetime ({DurationText.Format(MaxLifetime)})");
        }

        // JWT times are whole seconds; start on one so exp - nbf is exactly the ttl asked for.
        var now = DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds()).UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + ttl,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = subject,
                [GroupsClaim] = groups.ToArray(),
                [KindClaim] = kind == IdentityKind.Human ? "human" : "agent",
                [JwtRegisteredClaimNames.Jti] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
            },
            SigningCredentials = new SigningCredentials(_signingKey, Algorithm),
        });
    }

    public void Dispose()
    {
        _privateKey.Dispose();
        _publicKey.Dispose();
    }
}
