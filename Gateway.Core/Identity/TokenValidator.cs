using Gateway.Core.Config;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Core.Identity;

/// <summary>
/// The gateway's <see cref="ITokenValidator"/>: accepts a JWT only from a configured issuer (the embedded
/// dev issuer and each <c>identity.oidc[]</c> entry), checked by IdentityModel's <see cref="JsonWebTokenHandler"/>
/// against that issuer's keys, audience and algorithms, on the gateway's clock, no longer-lived than
/// <c>max_token_lifetime</c>. Outcomes are cached by token hash until the token expires.
/// </summary>
public sealed class TokenValidator : ITokenValidator, IDisposable
{
    /// <summary>Longest token accepted; Entra tokens with a full groups claim stay well under it.</summary>
    public const int MaxTokenChars = 32 * 1024;

    /// <summary>A token that does not parse never will; its refusal is remembered this long.</summary>
    private static readonly TimeSpan MalformedRetention = TimeSpan.FromMinutes(10);

    private readonly Dictionary<string, TrustedIssuer> _issuers = new(StringComparer.Ordinal);
    private readonly DevIssuer? _devIssuer;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false, MaximumTokenSizeInBytes = MaxTokenChars };
    private readonly TokenLifetimePolicy _lifetime;
    private readonly TokenCache _cache;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private long _validations;

    /// <param name="resolvePath">Resolves relative paths in the config (ca_file); defaults to the working directory.</param>
    /// <exception cref="InvalidOperationException">An issuer cannot be set up (dev key file, ca_file, plain HTTP off loopback).</exception>
    public TokenValidator(IdentityConfig identity, string stateDirectory, ILogger? logger = null, TimeProvider? time = null,
        Func<string, string>? resolvePath = null)
    {
        _time = time ?? TimeProvider.System;
        _log = logger ?? NullLogger.Instance;
        _lifetime = new TokenLifetimePolicy(identity.MaxTokenLifetime, identity.ClockSkew, _time);
        _cache = new TokenCache(identity.CacheSize);
        resolvePath ??= Path.GetFullPath;

        try
        {
            if (identity.DevIssuer)
            {
                _devIssuer = new DevIssuer(identity, stateDirectory, _time);
                Trust(new DevTrustedIssuer(_devIssuer));
            }
            foreach (var oidc in identity.Oidc)
                Trust(new OidcTrustedIssuer(oidc, _time, resolvePath));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Builds the validator for a loaded gateway config (state dir and relative paths resolved).</summary>
    public static TokenValidator Create(GatewayConfig config, ILoggerFactory? loggers = null, TimeProvider? time = null) =>
        new(config.Identity, config.StateDirectory, loggers?.CreateLogger<TokenValidator>(), time, config.ResolvePath);

    /// <summary>The <c>iss</c> values accepted.</summary>
    public IReadOnlyCollection<string> TrustedIssuers => _issuers.Keys;

    /// <summary>Validations answered from the cache (for metrics and tests).</summary>
    public long CacheHits => _cache.Hits;

    /// <summary>Validations that ran the full check (cache misses).</summary>
    public long FullValidations => Interlocked.Read(ref _validations);

    internal int CachedEntries => _cache.Count;

    public async ValueTask<TokenValidationResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length > MaxTokenChars)
            return Report(TokenRefusals.Malformed($"token is longer than {MaxTokenChars} characters"));

        var key = TokenHash.Of(token);
        if (_cache.TryGet(key, _time.GetUtcNow(), out var cached))
            return cached;

        Interlocked.Increment(ref _validations);
        var result = await ValidateUncachedAsync(token, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (result.Principal is { } principal)
            _cache.Add(key, result, principal.ExpiresAt, now);
        else if (result.Rejection == TokenRejection.Malformed)
            _cache.Add(key, result, now + MalformedRetention, now);
        return Report(result);
    }

    private async ValueTask<TokenValidationResult> ValidateUncachedAsync(string token, CancellationToken cancellationToken)
    {
        JsonWebToken unverified;
        try
        {
            unverified = _handler.ReadJsonWebToken(token);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenMalformedException)
        {
            return TokenRefusals.Malformed("token is not a well-formed JWT");
        }
        if (unverified.IsEncrypted)
            return TokenRefusals.Malformed("encrypted tokens (JWE) are not accepted");

        // The unverified iss only chooses whose keys to check against; the handler verifies it again.
        if (!_issuers.TryGetValue(unverified.Issuer, out var issuer))
        {
            return TokenRefusals.Refused(TokenRejection.UntrustedIssuer,
                unverified.Issuer.Length == 0 ? "token has no iss claim" : $"issuer {ClientText.Quote(unverified.Issuer)} is not trusted");
        }
        if (!SigningAlgorithms.TryAccept(unverified.Alg, issuer, out var algorithmReason))
            return TokenRefusals.Refused(TokenRejection.UnsupportedAlgorithm, algorithmReason);

        IReadOnlyCollection<SecurityKey> keys;
        try
        {
            keys = await issuer.GetSigningKeysAsync(cancellationToken).ConfigureAwait(false);
            if (unverified.Kid is { Length: > 0 } kid && !Publishes(keys, kid))
            {
                // Issuers rotate keys: a kid we have not seen gets exactly one (rate-limited) refresh.
                TokenValidatorLog.RefreshingKeys(_log, ClientText.Quote(kid), issuer.Issuer);
                var refreshed = await issuer.TryRefreshKeysAsync(cancellationToken).ConfigureAwait(false);
                // Read again even when this caller's refresh was suppressed: one that finished since may have brought the kid.
                keys = await issuer.GetSigningKeysAsync(cancellationToken).ConfigureAwait(false);
                if (!Publishes(keys, kid))
                {
                    if (!refreshed)
                        TokenValidatorLog.RefreshSuppressed(_log, ClientText.Quote(kid), issuer.Issuer);
                    return TokenRefusals.UnknownKey(unverified, issuer);
                }
            }
        }
        catch (IssuerUnavailableException e)
        {
            TokenValidatorLog.IssuerUnavailable(_log, issuer.Issuer, e.Message, e.InnerException);
            return TokenRefusals.Refused(TokenRejection.IssuerUnavailable, e.Message);
        }

        var outcome = await _handler.ValidateTokenAsync(unverified, issuer.CreateValidationParameters(keys, _lifetime))
            .ConfigureAwait(false);
        if (!outcome.IsValid)
        {
            TokenValidatorLog.HandlerRefused(_log, outcome.Exception?.GetType().Name ?? "no exception");
            return TokenRefusals.From(outcome.Exception ?? new SecurityTokenValidationException(), unverified, issuer);
        }
        return issuer.CreatePrincipal((JsonWebToken)outcome.SecurityToken);
    }

    private static bool Publishes(IReadOnlyCollection<SecurityKey> keys, string kid)
    {
        foreach (var key in keys)
        {
            if (string.Equals(key.KeyId, kid, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    private void Trust(TrustedIssuer issuer)
    {
        if (!_issuers.TryAdd(issuer.Issuer, issuer))
        {
            (issuer as IDisposable)?.Dispose();
            throw new InvalidOperationException($"token issuer {issuer.Issuer} is configured twice");
        }
        TokenValidatorLog.Trusting(_log, issuer.Issuer, issuer.Audience);
    }

    private TokenValidationResult Report(TokenValidationResult result)
    {
        if (result.Principal is { } principal)
            TokenValidatorLog.Accepted(_log, principal.Subject, principal.Kind, principal.Issuer, principal.TokenId);
        else
            TokenValidatorLog.Refused(_log, result.Rejection, result.Reason);
        return result;
    }

    public void Dispose()
    {
        foreach (var issuer in _issuers.Values)
            (issuer as IDisposable)?.Dispose();
        _issuers.Clear();
        _devIssuer?.Dispose();
    }
}
