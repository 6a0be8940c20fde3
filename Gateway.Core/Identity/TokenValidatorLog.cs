using Microsoft.Extensions.Logging;

namespace Gateway.Core.Identity;

/// <summary>
/// What token validation logs. Never the token itself: subjects, issuers, key ids and reasons only.
/// Refusals are client-caused, so they log at Debug; an unreachable issuer is the operator's problem.
/// </summary>
internal static partial class TokenValidatorLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug,
        Message = "Token accepted: subject {Subject} ({Kind}) from issuer {Issuer}, token id {TokenId}")]
    public static partial void Accepted(ILogger logger, string subject, IdentityKind kind, string issuer, string? tokenId);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Token refused ({Rejection}): {Reason}")]
    public static partial void Refused(ILogger logger, TokenRejection rejection, string reason);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug,
        Message = "Token handler refused a token with {ExceptionType}")]
    public static partial void HandlerRefused(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Issuer {Issuer} is unavailable: {Reason}")]
    public static partial void IssuerUnavailable(ILogger logger, string issuer, string reason, Exception? exception);

    // Debug: any client can send a made-up kid, so this must not flood the log at the default level.
    [LoggerMessage(EventId = 1104, Level = LogLevel.Debug,
        Message = "A token names signing key {KeyId} unknown to issuer {Issuer}; asking for its keys again")]
    public static partial void RefreshingKeys(ILogger logger, string keyId, string issuer);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Debug,
        Message = "Signing key {KeyId} stays unknown: keys of issuer {Issuer} were fetched too recently to fetch again")]
    public static partial void RefreshSuppressed(ILogger logger, string keyId, string issuer);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Information,
        Message = "Trusting token issuer {Issuer} (audience {Audience})")]
    public static partial void Trusting(ILogger logger, string issuer, string audience);
}
