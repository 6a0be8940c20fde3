namespace Gateway.Core.Masking;

/// <summary>
/// How a masked value is written, ordered by how much it reveals: when two rules mask the same column,
/// the higher value wins.
/// </summary>
public enum MaskStrategy
{
    /// <summary>Keep the last four characters of values of at least eight characters (<c>****1234</c>); shorter values are redacted.</summary>
    Partial = 0,

    /// <summary>A keyed pseudonym (HMAC-SHA256 with the deployment's masking key, 32 hex digits): equal values still join.</summary>
    Hash = 1,

    /// <summary>The value becomes <c>****</c>.</summary>
    Redact = 2,

    /// <summary>A masked column becomes SQL NULL; a detector match inside text is redacted.</summary>
    Null = 3,
}

/// <summary>The spellings of <see cref="MaskStrategy"/> in rule files.</summary>
public static class MaskStrategyNames
{
    public static readonly IReadOnlyDictionary<string, MaskStrategy> ByName = new Dictionary<string, MaskStrategy>(StringComparer.Ordinal)
    {
        ["partial"] = MaskStrategy.Partial,
        ["hash"] = MaskStrategy.Hash,
        ["redact"] = MaskStrategy.Redact,
        ["null"] = MaskStrategy.Null,
    };

    public static string Spell(MaskStrategy strategy) => strategy switch
    {
        MaskStrategy.Partial => "partial",
        MaskStrategy.Hash => "hash",
        MaskStrategy.Redact => "redact",
        _ => "null",
    };
}
