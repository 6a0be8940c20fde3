using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Gateway.Core.Policy;

/// <summary>A name as written in a rule file, with where it was written.</summary>
public readonly record struct LocatedName(string Value, int Line, int Column);

/// <summary>
/// A rule-file value that is one name or a list of names (<c>groups: sre</c> or <c>groups: [sre, dba]</c>);
/// lists mean any-of. Each name keeps its line so errors point at it.
/// </summary>
public sealed class NameList : IYamlConvertible
{
    /// <summary>
    /// The initial value of every list property. YAML <c>key:</c> with no value sets the property to null, so
    /// "absent" (this instance) and "written but empty" (null) stay distinguishable: an empty condition would
    /// otherwise silently widen a rule to everyone.
    /// </summary>
    public static NameList Absent { get; } = new();

    private readonly List<LocatedName> _items = [];

    public IReadOnlyList<LocatedName> Items => _items;

    public int Line { get; private set; }

    public int Column { get; private set; }

    public IEnumerable<string> Values => Items.Select(i => i.Value);

    void IYamlConvertible.Read(IParser parser, Type expectedType, ObjectDeserializer nestedObjectDeserializer)
    {
        var first = parser.Current!;
        Line = (int)first.Start.Line;
        Column = (int)first.Start.Column;
        if (parser.TryConsume<Scalar>(out var single))
        {
            Add(single);
            return;
        }
        parser.Consume<SequenceStart>();
        while (!parser.TryConsume<SequenceEnd>(out _))
        {
            if (!parser.TryConsume<Scalar>(out var item))
            {
                var unexpected = parser.Current!;
                throw new YamlException(unexpected.Start, unexpected.End, "expected a name here, not a list or mapping");
            }
            Add(item);
        }
    }

    void IYamlConvertible.Write(IEmitter emitter, ObjectSerializer nestedObjectSerializer) =>
        throw new NotSupportedException("rule files are read, never written");

    private void Add(Scalar scalar) => _items.Add(new LocatedName(scalar.Value, (int)scalar.Start.Line, (int)scalar.Start.Column));
}

/// <summary>A single word of a rule file (<c>action</c>, <c>strategy</c>, <c>default</c>, <c>where</c>) with its position.</summary>
public sealed class LocatedWord : IYamlConvertible
{
    public string Value { get; private set; } = "";

    public int Line { get; private set; }

    public int Column { get; private set; }

    void IYamlConvertible.Read(IParser parser, Type expectedType, ObjectDeserializer nestedObjectDeserializer)
    {
        var current = parser.Current!;
        if (!parser.TryConsume<Scalar>(out var scalar))
            throw new YamlException(current.Start, current.End, "expected a single word here, not a list or mapping");
        Value = scalar.Value;
        Line = (int)scalar.Start.Line;
        Column = (int)scalar.Start.Column;
    }

    void IYamlConvertible.Write(IEmitter emitter, ObjectSerializer nestedObjectSerializer) =>
        throw new NotSupportedException("rule files are read, never written");

    public override string ToString() => Value;
}
