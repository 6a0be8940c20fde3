using System.Collections.Immutable;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Core.Identity;

/// <summary>
/// One issuer the gateway trusts: the <c>iss</c> it writes, the audience it must address tokens to, the
/// algorithms and keys it signs with, and how its claims name groups and tell agents from people.
/// </summary>
internal abstract class TrustedIssuer(string issuer, string audience, string groupsClaim)
{
    /// <summary>App roles (Entra <c>roles</c>) count as groups for rule matching, whatever the groups claim is.</summary>
    private const string RolesClaim = "roles";

    private static readonly string[] DisplayNameClaims = ["name", "preferred_username", "app_displayname"];

    public string Issuer { get; } = issuer;
    public string Audience { get; } = audience;
    public string GroupsClaim { get; } = groupsClaim;

    public abstract IReadOnlySet<string> Algorithms { get; }

    /// <summary>The keys tokens of this issuer may be signed with, as currently known.</summary>
    /// <exception cref="IssuerUnavailableException">The keys cannot be had (discovery or JWKS unreachable, invalid).</exception>
    public abstract ValueTask<IReadOnlyCollection<SecurityKey>> GetSigningKeysAsync(CancellationToken cancellationToken);

    /// <summary>Fetches the keys anew (a token names a key id not seen yet), then returns.</summary>
    /// <returns>False when a refresh happened too recently (rate limit) or the keys cannot change.</returns>
    /// <exception cref="IssuerUnavailableException">The refresh was attempted and failed.</exception>
    public abstract ValueTask<bool> TryRefreshKeysAsync(CancellationToken cancellationToken);

    /// <summary>Reads agent-or-human from the issuer's own claim convention.</summary>
    protected abstract bool TryGetKind(JsonWebToken token, out IdentityKind kind, out string reason);

    public TokenValidationParameters CreateValidationParameters(
        IReadOnlyCollection<SecurityKey> keys, TokenLifetimePolicy lifetime) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKeys = keys,
        ValidAlgorithms = Algorithms,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        LifetimeValidator = lifetime.Validate,
        ClockSkew = lifetime.ClockSkew,
        // Only reached for a token without kid (one with an unknown kid is refused before validation).
        TryAllIssuerSigningKeys = true,
        SaveSigninToken = false,
    };

    /// <summary>Maps a token whose signature, issuer, audience and lifetime are already verified.</summary>
    public TokenValidationResult CreatePrincipal(JsonWebToken token)
    {
        if (string.IsNullOrEmpty(token.Subject))
            return TokenValidationResult.Refused(TokenRejection.MissingSubject, "token has no sub claim");
        if (!TryGetKind(token, out var kind, out var reason))
            return TokenValidationResult.Refused(TokenRejection.Malformed, reason);

        string? displayName = null;
        var groups = ImmutableArray.CreateBuilder<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var claim in token.Claims)
        {
            // A JSON array claim arrives as one Claim per element; a single string as one Claim.
            if ((claim.Type == GroupsClaim || claim.Type == RolesClaim) && claim.Value.Length > 0 && seen.Add(claim.Value))
                groups.Add(claim.Value);
        }
        foreach (var name in DisplayNameClaims)
        {
            if (token.TryGetClaim(name, out var claim) && claim.Value.Length > 0)
            {
                displayName = claim.Value;
                break;
            }
        }

        return TokenValidationResult.Valid(new Principal
        {
            Subject = token.Subject,
            DisplayName = displayName,
            Kind = kind,
            Groups = groups.ToImmutable(),
            Issuer = Issuer,
            ExpiresAt = new DateTimeOffset(DateTime.SpecifyKind(token.ValidTo, DateTimeKind.Utc)),
            TokenId = TokenIdOf(token),
        });
    }

    /// <summary><c>jti</c>; Entra access tokens carry none and name themselves with <c>uti</c> instead.</summary>
    private static string? TokenIdOf(JsonWebToken token) =>
        !string.IsNullOrEmpty(token.Id) ? token.Id
        : token.TryGetClaim("uti", out var uti) && uti.Value.Length > 0 ? uti.Value
        : null;
}

/// <summary>An issuer's signing keys could not be had; the message is safe to show a client.</summary>
internal sealed class IssuerUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
