namespace Gateway.Core.Audit;

/// <summary>What an unidentified client said it was connecting as: unverified, recorded only with its refusal.</summary>
public readonly record struct ClaimedStartup(string? User, string? Database, string? ApplicationName);
