using System.Globalization;
using Gateway.Core.Config;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Core.Identity;

/// <summary>
/// The token handler's lifetime step, on the gateway's clock (<see cref="TimeProvider"/>) and with the
/// gateway's extra rule: a token may not live longer than <c>identity.max_token_lifetime</c>, because the
/// agent's only credential must be short-lived. Plugged in as <see cref="TokenValidationParameters.LifetimeValidator"/>;
/// it throws the handler's own exception types, so refusals are classified in one place.
/// </summary>
internal sealed class TokenLifetimePolicy(TimeSpan maxLifetime, TimeSpan clockSkew, TimeProvider time)
{
    public TimeSpan MaxLifetime { get; } = maxLifetime;
    public TimeSpan ClockSkew { get; } = clockSkew;

    public bool Validate(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (expires is null)
            throw new SecurityTokenNoExpirationException("token has no exp claim");
        if (notBefore > now + ClockSkew)
            throw new SecurityTokenNotYetValidException($"token is not valid before {Stamp(notBefore.Value)}") { NotBefore = notBefore.Value };
        // RFC 7519 4.1.4: the token may be used only before exp, so exp == now is already expired.
        if (expires <= now - ClockSkew)
            throw new SecurityTokenExpiredException($"token expired at {Stamp(expires.Value)}") { Expires = expires.Value };
        if (notBefore > expires)
            throw new SecurityTokenInvalidLifetimeException("token nbf is after its exp") { NotBefore = notBefore, Expires = expires };

        // Lifetime is measured from nbf, else iat; a token with neither is judged on what it has left.
        var start = notBefore ?? IssuedAt(token) ?? now;
        var lifetime = expires.Value - start;
        if (lifetime > MaxLifetime)
            throw new TokenLifetimeTooLongException(
                $"token lifetime {DurationText.Format(RoundUp(lifetime))} exceeds the maximum of {DurationText.Format(MaxLifetime)}");
        return true;
    }

    private static DateTime? IssuedAt(SecurityToken token) =>
        token is JsonWebToken jwt && jwt.IssuedAt != DateTime.MinValue ? jwt.IssuedAt : null;

    private static TimeSpan RoundUp(TimeSpan value) => TimeSpan.FromSeconds(Math.Ceiling(value.TotalSeconds));

    private static string Stamp(DateTime value) => value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>The token is otherwise valid but was issued to live longer than the gateway allows.</summary>
internal sealed class TokenLifetimeTooLongException(string message) : SecurityTokenInvalidLifetimeException(message);
