namespace Gateway.Core.Identity;

/// <summary>Why a token was refused; each maps to a message a client may see (never the expected secret).</summary>
public enum TokenRejection
{
    None = 0,
    Malformed,
    UnsupportedAlgorithm,
    BadSignature,
    UnknownSigningKey,
    UntrustedIssuer,
    WrongAudience,
    Expired,
    NotYetValid,
    MissingExpiry,
    LifetimeTooLong,
    MissingSubject,
    IssuerUnavailable,
}

/// <summary>The outcome of validating a bearer token.</summary>
public readonly record struct TokenValidationResult(Principal? Principal, TokenRejection Rejection, string Reason)
{
    public bool IsValid => Principal is not null;

    public static TokenValidationResult Valid(Principal principal) => new(principal, TokenRejection.None, "");

    public static TokenValidationResult Refused(TokenRejection rejection, string reason) => new(null, rejection, reason);
}

/// <summary>Turns a bearer token (the agent's only credential) into a <see cref="Principal"/>.</summary>
public interface ITokenValidator
{
    ValueTask<TokenValidationResult> ValidateAsync(string token, CancellationToken cancellationToken);
}
