namespace Gateway.Core.Config;

/// <summary>One problem in a configuration or rule file, located by file, line and key.</summary>
public sealed record ConfigError(string File, int Line, int Column, string Key, string Message)
{
    public override string ToString() =>
        Line > 0 ? $"{File}:{Line}:{Column}: {Key}: {Message}" : $"{File}: {Key}: {Message}";
}

/// <summary>A configuration file did not load. Carries every error found, not just the first.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public ConfigException(ConfigError error) : this([error]) { }

    public IReadOnlyList<ConfigError> Errors { get; }
}
