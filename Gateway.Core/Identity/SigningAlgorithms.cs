using Microsoft.IdentityModel.Tokens;

namespace Gateway.Core.Identity;

/// <summary>
/// Which JWS algorithms a trusted issuer may use. Checked on the unverified header before any key is
/// touched, so <c>alg: none</c> and the HS256-with-the-public-key confusion are refused by name, and the
/// same list is handed to the token handler so it enforces it again.
/// </summary>
internal static class SigningAlgorithms
{
    /// <summary>What OIDC providers (Entra ID, Okta, Auth0, Keycloak) sign access tokens with.</summary>
    public static readonly IReadOnlySet<string> Asymmetric = new HashSet<string>(StringComparer.Ordinal)
    {
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    };

    /// <returns>True when <paramref name="alg"/> is one the issuer signs with; otherwise a reason a client may see.</returns>
    public static bool TryAccept(string? alg, TrustedIssuer issuer, out string reason)
    {
        if (string.IsNullOrEmpty(alg))
        {
            reason = "token header has no alg";
            return false;
        }
        if (alg.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            reason = "unsigned tokens (alg: none) are refused";
            return false;
        }
        if (alg.StartsWith("HS", StringComparison.OrdinalIgnoreCase))
        {
            reason = $"symmetric algorithm {ClientText.Quote(alg)} is refused: issuer {ClientText.Quote(issuer.Issuer)} signs with asymmetric keys";
            return false;
        }
        if (!issuer.Algorithms.Contains(alg))
        {
            reason = $"algorithm {ClientText.Quote(alg)} is not accepted from issuer {ClientText.Quote(issuer.Issuer)}";
            return false;
        }
        reason = "";
        return true;
    }
}
