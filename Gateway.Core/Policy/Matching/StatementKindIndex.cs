using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Gateway.Core.Policy;

/// <summary>
/// Dense indices for <see cref="StatementKinds"/>, so a rule's <c>statements:</c> compiles to a bit set and the
/// engine finds a statement's candidate rules with one dictionary lookup and one array index.
/// </summary>
internal static class StatementKindIndex
{
    public static readonly ImmutableArray<string> Names = [.. StatementKinds.All.Order(StringComparer.Ordinal)];

    private static readonly FrozenDictionary<string, int> ByName =
        Names.Select((name, index) => (name, index)).ToFrozenDictionary(p => p.name, p => p.index, StringComparer.Ordinal);

    public static int Count => Names.Length;

    /// <summary>The index of a kind; a name the vocabulary lacks (an analyser bug) counts as <c>other</c>.</summary>
    public static int Of(string kind) =>
        ByName.TryGetValue(kind, out var index) ? index : ByName[StatementKinds.Other];

    public static bool TryGet(string kind, out int index) => ByName.TryGetValue(kind, out index);
}

/// <summary>A set of statement kinds as bits (128 leaves room for the vocabulary to grow).</summary>
internal readonly record struct StatementKindSet(UInt128 Bits)
{
    public bool Contains(int index) => (Bits & (UInt128.One << index)) != UInt128.Zero;

    public bool IsSubsetOf(StatementKindSet other) => (Bits & ~other.Bits) == UInt128.Zero;

    public StatementKindSet With(int index) => new(Bits | (UInt128.One << index));
}
