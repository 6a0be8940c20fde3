using System.Collections.Immutable;

namespace Gateway.Core.Identity;

/// <summary>Whether the caller is an autonomous agent or a person; rules match on it.</summary>
public enum IdentityKind
{
    Agent,
    Human,
}

/// <summary>
/// Who is calling, as proven by a verified token. This is the only source of identity in the
/// gateway (DESIGN.md invariant 4): never a startup <c>user</c>, a header or a comment.
/// </summary>
public sealed record Principal
{
    public required string Subject { get; init; }
    public string? DisplayName { get; init; }
    public required IdentityKind Kind { get; init; }
    public ImmutableArray<string> Groups { get; init; } = [];
    public required string Issuer { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public string? TokenId { get; init; }

    public bool IsInGroup(string group) => Groups.Contains(group, StringComparer.Ordinal);
}
