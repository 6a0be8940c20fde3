using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Core.Identity;

/// <summary>
/// Classifies why the token handler refused a token, in one place, into a <see cref="TokenRejection"/> and a
/// reason a client may see. Reasons name what the token claimed, never what the gateway expected to find
/// (keys, secrets); the handler's own messages are not passed on.
/// </summary>
internal static class TokenRefusals
{
    public static TokenValidationResult From(Exception exception, JsonWebToken token, TrustedIssuer issuer) => exception switch
    {
        // Thrown by TokenLifetimePolicy with messages written for clients.
        SecurityTokenNoExpirationException => Refused(TokenRejection.MissingExpiry, exception.Message),
        SecurityTokenExpiredException => Refused(TokenRejection.Expired, exception.Message),
        SecurityTokenNotYetValidException => Refused(TokenRejection.NotYetValid, exception.Message),
        TokenLifetimeTooLongException => Refused(TokenRejection.LifetimeTooLong, exception.Message),
        SecurityTokenInvalidLifetimeException => Refused(TokenRejection.Malformed, exception.Message),

        SecurityTokenInvalidAudienceException => Refused(TokenRejection.WrongAudience,
            $"token audience {Audiences(token)} is not accepted by this gateway"),
        SecurityTokenInvalidIssuerException => Refused(TokenRejection.UntrustedIssuer,
            $"issuer {ClientText.Quote(token.Issuer)} is not trusted"),
        SecurityTokenInvalidAlgorithmException => Refused(TokenRejection.UnsupportedAlgorithm,
            $"algorithm {ClientText.Quote(token.Alg)} is not accepted from issuer {ClientText.Quote(issuer.Issuer)}"),
        // Derives from the invalid-signature exception, so it comes first.
        SecurityTokenSignatureKeyNotFoundException when !string.IsNullOrEmpty(token.Kid) => UnknownKey(token, issuer),
        SecurityTokenInvalidSignatureException => Refused(TokenRejection.BadSignature, "token signature does not verify"),
        SecurityTokenMalformedException or ArgumentException => Malformed("token is not a well-formed JWT"),
        _ => Refused(TokenRejection.BadSignature, "token did not validate"),
    };

    public static TokenValidationResult UnknownKey(JsonWebToken token, TrustedIssuer issuer) =>
        Refused(TokenRejection.UnknownSigningKey,
            $"signing key {ClientText.Quote(token.Kid)} is not published by issuer {ClientText.Quote(issuer.Issuer)}");

    public static TokenValidationResult Malformed(string reason) => Refused(TokenRejection.Malformed, reason);

    public static TokenValidationResult Refused(TokenRejection rejection, string reason) =>
        TokenValidationResult.Refused(rejection, reason);

    private static string Audiences(JsonWebToken token)
    {
        var audiences = token.Audiences.ToList();
        return audiences.Count == 0 ? "(none)" : ClientText.QuoteAll(audiences);
    }
}
