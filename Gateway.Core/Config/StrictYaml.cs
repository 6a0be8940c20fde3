using System.Runtime.CompilerServices;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;
using YamlDotNet.Serialization.NodeDeserializers;

namespace Gateway.Core.Config;

/// <summary>Where each deserialized object started in its file, so validation can name a line.</summary>
public sealed class YamlMarks
{
    private readonly ConditionalWeakTable<object, StrongBox<Mark>> _marks = new();

    internal void Record(object value, Mark mark) => _marks.AddOrUpdate(value, new StrongBox<Mark>(mark));

    /// <summary>The line and column where <paramref name="value"/>'s mapping started, or (0, 0) when unknown.</summary>
    public (int Line, int Column) Of(object? value) =>
        value is not null && _marks.TryGetValue(value, out var box) ? ((int)box.Value.Line, (int)box.Value.Column) : (0, 0);
}

/// <summary>
/// Strict YAML loading shared by the gateway config and rule files: snake_case keys, an unknown key or a
/// wrong type is an error naming file, line and key, <c>${ENV}</c> is expanded inside scalars, durations and
/// enums read as people write them.
/// </summary>
public static class StrictYaml
{
    public static T Load<T>(string path, string text, out YamlMarks marks) where T : class, new()
    {
        var recorded = new YamlMarks();
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .WithDuplicateKeyChecking()
            .WithTypeConverter(new DurationConverter())
            .WithTypeConverter(new EnumConverter())
            .WithTypeConverter(new ListenerTlsConverter())
            .WithNodeDeserializer(inner => new MarkRecordingDeserializer(inner, recorded),
                where => where.InsteadOf<ObjectNodeDeserializer>())
            .Build();

        try
        {
            var parser = new EnvExpandingParser(new Parser(new StringReader(text)));
            marks = recorded;
            return deserializer.Deserialize<T>(parser) ?? new T();
        }
        catch (YamlException e)
        {
            throw new ConfigException(Describe(path, e));
        }
    }

    /// <summary>Turns YamlDotNet's exception chain into one located, readable error.</summary>
    private static ConfigError Describe(string path, YamlException e)
    {
        // YamlDotNet wraps the real cause; the innermost located exception carries the precise mark.
        var located = e;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is YamlException y)
                located = y;
        }

        var message = (located.InnerException?.Message ?? located.Message).Trim();
        var key = "";
        const string notFound = "Property '";
        var at = message.IndexOf(notFound, StringComparison.Ordinal);
        if (at >= 0 && message.Contains("not found on type", StringComparison.Ordinal))
        {
            var end = message.IndexOf('\'', at + notFound.Length);
            key = message[(at + notFound.Length)..end];
            message = $"unknown key '{key}'";
        }
        else if (message.StartsWith('(') && message.Contains("): ", StringComparison.Ordinal))
        {
            // Strip YamlDotNet's own "(Line: 3, Col: 5, Idx: 20) - (...): " prefix; we print the mark ourselves.
            message = message[(message.IndexOf("): ", StringComparison.Ordinal) + 3)..];
        }

        return new ConfigError(path, (int)located.Start.Line, (int)located.Start.Column, key, message);
    }

    private sealed class MarkRecordingDeserializer(INodeDeserializer inner, YamlMarks marks) : INodeDeserializer
    {
        public bool Deserialize(IParser reader, Type expectedType, Func<IParser, Type, object?> nestedObjectDeserializer,
            out object? value, ObjectDeserializer rootDeserializer)
        {
            var start = reader.Current?.Start ?? Mark.Empty;
            if (!inner.Deserialize(reader, expectedType, nestedObjectDeserializer, out value, rootDeserializer))
                return false;
            if (value is not null)
                marks.Record(value, start);
            return true;
        }
    }
}
