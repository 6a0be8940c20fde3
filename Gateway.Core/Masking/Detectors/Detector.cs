namespace Gateway.Core.Masking;

/// <summary>
/// Finds one kind of sensitive text inside a UTF-8 value. Each detector starts with a vectorized prefilter
/// (<c>IndexOf</c>/<c>IndexOfAny</c> over the bytes) and does the exact, more expensive check only around a
/// prefilter hit, so clean values cost a few vector scans and no allocation.
/// </summary>
public abstract class Detector
{
    /// <summary>The name rule files use in <c>detectors:</c>.</summary>
    public abstract string Name { get; }

    /// <summary>One line for docs and lint output.</summary>
    public abstract string Description { get; }

    /// <summary>Adds every span of <paramref name="scan"/>'s value that this detector recognises.</summary>
    internal abstract void Find(ref ValueScan scan);

    public override string ToString() => Name;
}
