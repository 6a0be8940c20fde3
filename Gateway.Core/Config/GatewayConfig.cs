namespace Gateway.Core.Config;

/// <summary>
/// The root of <c>gateway.yaml</c>. Key names are a contract (tools and tests depend on them): add keys,
/// never rename. Loaded strictly by <see cref="ConfigLoader"/>.
/// </summary>
public sealed class GatewayConfig
{
    /// <summary>Node name stamped on every frame-log record; defaults to the host name.</summary>
    public string Node { get; set; } = Environment.MachineName;

    /// <summary>Keys, frame log, approvals. Relative paths resolve against the config file's folder.</summary>
    public string StateDir { get; set; } = "./state";

    public IdentityConfig Identity { get; set; } = new();
    public AuditConfig Audit { get; set; } = new();
    public List<ListenerConfig> Listeners { get; set; } = [];
    public AdminConfig Admin { get; set; } = new();
    public LoggingConfig Logging { get; set; } = new();

    /// <summary>Absolute path of the file this was loaded from (not a YAML key).</summary>
    [YamlDotNet.Serialization.YamlIgnore]
    public string SourcePath { get; set; } = "";

    /// <summary>The folder relative paths in the file are resolved against (not a YAML key).</summary>
    [YamlDotNet.Serialization.YamlIgnore]
    public string BaseDirectory => Path.GetDirectoryName(SourcePath) ?? Directory.GetCurrentDirectory();

    /// <summary>Resolves a path written in the config against the config file's folder.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(Path.Combine(BaseDirectory, path));

    [YamlDotNet.Serialization.YamlIgnore]
    public string StateDirectory => ResolvePath(StateDir);
}

/// <summary>The admin HTTP endpoint: <c>/healthz</c>, <c>/metrics</c>.</summary>
public sealed class AdminConfig
{
    /// <summary>Address to bind, e.g. <c>127.0.0.1:9090</c>; empty disables the endpoint.</summary>
    public string? Bind { get; set; }
}

public sealed class LoggingConfig
{
    /// <summary>trace | debug | information | warning | error | critical | none.</summary>
    public string Level { get; set; } = "information";

    /// <summary>text | json.</summary>
    public string Format { get; set; } = "text";
}
