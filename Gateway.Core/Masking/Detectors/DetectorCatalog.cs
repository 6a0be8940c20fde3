using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Gateway.Core.Masking;

/// <summary>Every content detector by the name rule files use. <c>detectors: all</c> means all of them.</summary>
public static class DetectorCatalog
{
    public const string AllKeyword = "all";

    /// <summary>In the order they run; the order does not change results (overlapping hits merge).</summary>
    public static readonly ImmutableArray<Detector> All =
    [
        new EmailDetector(),
        new PaymentCardDetector(),
        new IbanDetector(),
        new UsSsnDetector(),
        new JwtDetector(),
        new PemPrivateKeyDetector(),
        new AwsAccessKeyDetector(),
        new AwsSecretKeyDetector(),
        new AzureStorageKeyDetector(),
        new SasTokenDetector(),
        new ConnectionStringDetector(),
        new GitHubTokenDetector(),
        new SlackTokenDetector(),
        new SecretAssignmentDetector(),
    ];

    public static readonly FrozenDictionary<string, Detector> ByName =
        All.ToFrozenDictionary(detector => detector.Name, StringComparer.Ordinal);
}
