using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Core.Identity;

/// <summary>Trust in the embedded <see cref="DevIssuer"/>: one ES256 key, a <c>kind</c> claim.</summary>
internal sealed class DevTrustedIssuer(DevIssuer dev) : TrustedIssuer(dev.Issuer, dev.Audience, DevIssuer.GroupsClaim)
{
    private static readonly IReadOnlySet<string> Es256Only = new HashSet<string>(StringComparer.Ordinal) { DevIssuer.Algorithm };

    private readonly IReadOnlyCollection<SecurityKey> _keys = [dev.VerificationKey];

    public override IReadOnlySet<string> Algorithms => Es256Only;

    public override ValueTask<IReadOnlyCollection<SecurityKey>> GetSigningKeysAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(_keys);

    /// <summary>The key is local and fixed: there is nothing to refresh.</summary>
    public override ValueTask<bool> TryRefreshKeysAsync(CancellationToken cancellationToken) => ValueTask.FromResult(false);

    protected override bool TryGetKind(JsonWebToken token, out IdentityKind kind, out string reason)
    {
        reason = "";
        if (!token.TryGetClaim(DevIssuer.KindClaim, out var claim))
        {
            kind = IdentityKind.Agent;
            return true;
        }
        switch (claim.Value)
        {
            case "agent":
                kind = IdentityKind.Agent;
                return true;
            case "human":
                kind = IdentityKind.Human;
                return true;
            default:
                kind = default;
                reason = $"kind claim {ClientText.Quote(claim.Value)} is neither 'agent' nor 'human'";
                return false;
        }
    }
}
