namespace Gateway.Core.Masking;

/// <summary>
/// Finds one kind of sensitive text inside a UTF-8 value. Gated first by <see cref="Requires"/> (byte classes
/// found in one pass shared by all detectors), then a vectorized prefilter (<c>IndexOf</c>/<c>IndexOfAny</c>
/// over the bytes), and only around a prefilter hit the exact, more expensive check; clean values cost a scan
/// and no allocation.
/// </summary>
public abstract class Detector
{
    /// <summary>The name rule files use in <c>detectors:</c>.</summary>
    public abstract string Name { get; }

    /// <summary>One line for docs and lint output.</summary>
    public abstract string Description { get; }

    /// <summary>Byte classes that must all be present for a match to be possible.</summary>
    internal abstract Triggers Requires { get; }

    /// <summary>Byte classes of which at least one must be present (none: no such condition).</summary>
    internal virtual Triggers RequiresAny => Triggers.None;

    /// <summary>The shortest value a match fits in.</summary>
    internal virtual int MinLength => 1;

    /// <summary>Adds every span of <paramref name="scan"/>'s value that this detector recognises.</summary>
    internal abstract void Find(ref ValueScan scan);

    public override string ToString() => Name;
}
