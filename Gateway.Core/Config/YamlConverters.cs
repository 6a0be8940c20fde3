using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Gateway.Core.Config;

/// <summary>Reads <see cref="TimeSpan"/> from duration text (<see cref="DurationText"/>).</summary>
internal sealed class DurationConverter : IYamlTypeConverter
{
    public bool Accepts(Type type) => type == typeof(TimeSpan) || type == typeof(TimeSpan?);

    public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
    {
        var scalar = parser.Consume<Scalar>();
        if (DurationText.TryParse(scalar.Value, out var value))
            return value;
        throw new YamlException(scalar.Start, scalar.End, $"'{scalar.Value}' is not a duration (use e.g. 500ms, 30s, 10m, 1h)");
    }

    public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer) =>
        emitter.Emit(new Scalar(DurationText.Format((TimeSpan)value!)));
}

/// <summary>
/// Reads any enum from its YAML spelling (<c>verify-full</c>, <c>drop_oldest</c>, <c>fsync</c>) and names
/// the allowed values when the text matches none.
/// </summary>
internal sealed class EnumConverter : IYamlTypeConverter
{
    public bool Accepts(Type type) => type.IsEnum;

    public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
    {
        var scalar = parser.Consume<Scalar>();
        var wanted = Normalize(scalar.Value);
        foreach (var name in Enum.GetNames(type))
        {
            if (Normalize(name) == wanted)
                return Enum.Parse(type, name);
        }
        var allowed = string.Join(", ", Enum.GetNames(type).Select(Spell));
        throw new YamlException(scalar.Start, scalar.End, $"'{scalar.Value}' is not one of: {allowed}");
    }

    public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer) =>
        emitter.Emit(new Scalar(Spell(value!.ToString()!)));

    private static string Normalize(string text) =>
        text.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>PascalCase to snake_case, the spelling used in docs and errors.</summary>
    internal static string Spell(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

/// <summary>Reads a listener's <c>tls:</c> as <c>auto</c>, <c>off</c> or a mapping <c>{certificate, key}</c>.</summary>
internal sealed class ListenerTlsConverter : IYamlTypeConverter
{
    public bool Accepts(Type type) => type == typeof(ListenerTlsConfig);

    public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
    {
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            return scalar.Value switch
            {
                "auto" => ListenerTlsConfig.Auto,
                "off" or "false" => ListenerTlsConfig.Off,
                _ => throw new YamlException(scalar.Start, scalar.End,
                    $"'{scalar.Value}' is not a TLS setting (use auto, off, or {{certificate, key}})"),
            };
        }

        var start = parser.Consume<MappingStart>();
        var config = new ListenerTlsConfig { Mode = ListenerTlsMode.Files };
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = parser.Consume<Scalar>();
            var value = parser.Consume<Scalar>();
            switch (key.Value)
            {
                case "certificate": config.Certificate = value.Value; break;
                case "key": config.Key = value.Value; break;
                default: throw new YamlException(key.Start, key.End, $"unknown key '{key.Value}' (allowed: certificate, key)");
            }
        }
        if (string.IsNullOrEmpty(config.Certificate) || string.IsNullOrEmpty(config.Key))
            throw new YamlException(start.Start, start.End, "tls needs both 'certificate' and 'key'");
        return config;
    }

    public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer) =>
        throw new NotSupportedException("configuration is read, never written");
}
