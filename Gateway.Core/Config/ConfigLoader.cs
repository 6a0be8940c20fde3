using System.Net;

namespace Gateway.Core.Config;

/// <summary>
/// Loads <c>gateway.yaml</c> strictly and validates it as a whole: every problem is reported at once,
/// each naming the file, line and key.
/// </summary>
public static class ConfigLoader
{
    public static readonly IReadOnlySet<string> KnownProtocols = new HashSet<string>(StringComparer.Ordinal) { "postgres" };

    public static GatewayConfig Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (IOException e)
        {
            throw new ConfigException(new ConfigError(fullPath, 0, 0, "", $"cannot read: {e.Message}"));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ConfigException(new ConfigError(fullPath, 0, 0, "", $"cannot read: {e.Message}"));
        }
        return Parse(fullPath, text);
    }

    public static GatewayConfig Parse(string path, string text)
    {
        var config = StrictYaml.Load<GatewayConfig>(path, text, out var marks);
        config.SourcePath = path;
        var errors = new ConfigValidator(path, marks).Validate(config);
        if (errors.Count > 0)
            throw new ConfigException(errors);
        // A target's ca_file is opened per upstream connection, where the config's folder is not at hand: resolve it
        // here, so it is relative to the config file like every other path (not to the working directory).
        foreach (var listener in config.Listeners)
        {
            if (listener.Target.CaFile is { } caFile)
                listener.Target.CaFile = config.ResolvePath(caFile);
        }
        return config;
    }
}

/// <summary>Semantic checks after parsing: required values, ranges, combinations. Collects every error.</summary>
internal sealed class ConfigValidator(string path, YamlMarks marks)
{
    private readonly List<ConfigError> _errors = [];

    public List<ConfigError> Validate(GatewayConfig config)
    {
        Require(config, "node", config.Node);
        Require(config, "state_dir", config.StateDir);
        ValidateIdentity(config);
        ValidateAudit(config);

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Listeners.Count; i++)
        {
            var listener = config.Listeners[i];
            var key = $"listeners[{i}]";
            ValidateListener(listener, key);
            if (listener.Name.Length > 0 && !names.Add(listener.Name))
                Error(listener, $"{key}.name", $"duplicate listener name '{listener.Name}'");
        }

        if (!string.IsNullOrEmpty(config.Admin.Bind) && !TryParseBind(config.Admin.Bind, out _))
            Error(config.Admin, "admin.bind", $"'{config.Admin.Bind}' is not host:port");
        return _errors;
    }

    private void ValidateIdentity(GatewayConfig config)
    {
        var identity = config.Identity;
        if (!identity.DevIssuer && identity.Oidc.Count == 0)
            Error(identity, "identity", "no token issuer: set dev_issuer: true or list at least one oidc issuer");
        if (identity.MaxTokenLifetime <= TimeSpan.Zero)
            Error(identity, "identity.max_token_lifetime", "must be positive");
        if (identity.ClockSkew < TimeSpan.Zero || identity.ClockSkew > TimeSpan.FromMinutes(5))
            Error(identity, "identity.clock_skew", "must be between 0s and 5m");
        for (var i = 0; i < identity.Oidc.Count; i++)
        {
            var oidc = identity.Oidc[i];
            Require(oidc, $"identity.oidc[{i}].issuer", oidc.Issuer);
            Require(oidc, $"identity.oidc[{i}].audience", oidc.Audience);
            if (oidc.Issuer.Length > 0 && !Uri.TryCreate(oidc.Issuer, UriKind.Absolute, out _))
                Error(oidc, $"identity.oidc[{i}].issuer", $"'{oidc.Issuer}' is not an absolute URL");
        }
    }

    private void ValidateAudit(GatewayConfig config)
    {
        var audit = config.Audit;
        if (audit.CheckpointEvery < 1)
            Error(audit, "audit.checkpoint_every", "must be at least 1");
        if (audit.Capture.ResultRows < 0)
            Error(audit.Capture, "audit.capture.result_rows", "must not be negative");
        if (audit.Capture.ValueBytes < 16)
            Error(audit.Capture, "audit.capture.value_bytes", "must be at least 16");
        if (audit.SegmentMaxBytes < 64 * 1024)
            Error(audit, "audit.segment_max_bytes", "must be at least 65536");
        for (var i = 0; i < audit.Sinks.Count; i++)
        {
            var sink = audit.Sinks[i];
            var key = $"audit.sinks[{i}]";
            if (sink.Type != "azure_monitor")
            {
                Error(sink, $"{key}.type", $"'{sink.Type}' is not a sink type (known: azure_monitor)");
                continue;
            }
            Require(sink, $"{key}.endpoint", sink.Endpoint);
            Require(sink, $"{key}.rule_id", sink.RuleId);
            Require(sink, $"{key}.stream", sink.Stream);
            if (!string.IsNullOrEmpty(sink.Endpoint) && !Uri.TryCreate(sink.Endpoint, UriKind.Absolute, out _))
                Error(sink, $"{key}.endpoint", $"'{sink.Endpoint}' is not an absolute URL");
            var credential = sink.Credential;
            switch (credential.Type)
            {
                case "default" or "managed_identity" or "workload_identity":
                    break;
                case "client_secret":
                    Require(credential, $"{key}.credential.tenant_id", credential.TenantId);
                    Require(credential, $"{key}.credential.client_id", credential.ClientId);
                    Require(credential, $"{key}.credential.secret_env", credential.SecretEnv);
                    break;
                case "token_file":
                    Require(credential, $"{key}.credential.path", credential.Path);
                    break;
                default:
                    Error(credential, $"{key}.credential.type",
                        $"'{credential.Type}' is not one of: default, managed_identity, workload_identity, client_secret, token_file");
                    break;
            }
        }
    }

    private void ValidateListener(ListenerConfig listener, string key)
    {
        Require(listener, $"{key}.name", listener.Name);
        Require(listener, $"{key}.protocol", listener.Protocol);
        Require(listener, $"{key}.bind", listener.Bind);
        if (listener.Protocol.Length > 0 && !ConfigLoader.KnownProtocols.Contains(listener.Protocol))
            Error(listener, $"{key}.protocol", $"'{listener.Protocol}' is not supported (known: {string.Join(", ", ConfigLoader.KnownProtocols)})");

        if (listener.Bind.Length > 0)
        {
            if (!TryParseBind(listener.Bind, out var endpoint))
                Error(listener, $"{key}.bind", $"'{listener.Bind}' is not host:port");
            else if (listener.Tls.Mode == ListenerTlsMode.Off && !IPAddress.IsLoopback(endpoint.Address))
                Error(listener, $"{key}.tls", "tls: off is allowed on loopback binds only: tokens would cross the network in clear text");
        }

        if (listener.Rules.Count == 0)
            Error(listener, $"{key}.rules", "at least one rule file is required (a listener without rules would fail open)");
        if (listener.MaxConnections < 1)
            Error(listener, $"{key}.max_connections", "must be at least 1");
        if (listener.MaxConnectionsPerIp < 1)
            Error(listener, $"{key}.max_connections_per_ip", "must be at least 1");
        if (listener.MaxMessageBytes < 1024)
            Error(listener, $"{key}.max_message_bytes", "must be at least 1024");
        if (listener.HandshakeTimeout <= TimeSpan.Zero)
            Error(listener, $"{key}.handshake_timeout", "must be positive");

        var target = listener.Target;
        Require(target, $"{key}.target.host", target.Host);
        if (target.Port is < 1 or > 65535)
            Error(target, $"{key}.target.port", "must be a port number between 1 and 65535");
        if (target.PasswordEnv is not null && target.PasswordFile is not null)
            Error(target, $"{key}.target", "set password_env or password_file, not both");
        if (target.Pool.MaxIdle is < 0 or > MaxIdlePerTarget)
            Error(target.Pool, $"{key}.target.pool.max_idle", $"must be between 0 (off) and {MaxIdlePerTarget}");
        if (target.Pool.IdleTimeout <= TimeSpan.Zero)
            Error(target.Pool, $"{key}.target.pool.idle_timeout", "must be positive");
        if (target.Pool.MaxLifetime <= TimeSpan.Zero)
            Error(target.Pool, $"{key}.target.pool.max_lifetime", "must be positive");
    }

    /// <summary>Idle upstream sessions are PostgreSQL backends: a bound keeps a typo from holding a server's connection slots.</summary>
    private const int MaxIdlePerTarget = 1000;

    internal static bool TryParseBind(string bind, out IPEndPoint endpoint)
    {
        endpoint = null!;
        var colon = bind.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(bind.AsSpan(colon + 1), out var port) || port is < 0 or > 65535)
            return false;
        var host = bind[..colon].Trim('[', ']');
        IPAddress? address = host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "0.0.0.0" => IPAddress.Any,
            _ => IPAddress.TryParse(host, out var parsed) ? parsed : null,
        };
        if (address is null)
            return false;
        endpoint = new IPEndPoint(address, port);
        return true;
    }

    private void Require(object owner, string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            Error(owner, key, "is required");
    }

    private void Error(object owner, string key, string message)
    {
        var (line, column) = marks.Of(owner);
        _errors.Add(new ConfigError(path, line, column, key, message));
    }
}
