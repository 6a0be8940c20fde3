using Gateway.Core.Config;
using Gateway.Core.FrameLog;
using Gateway.Core.Identity;
using Gateway.Core.Policy;
using Gateway.Core.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Sessions;

/// <summary>
/// Builds configs and services for connection-layer tests. Tokens, frame log and rules are inert stubs: the
/// listener never touches them, the echo handlers neither.
/// </summary>
internal static class TestGateway
{
    public const string Protocol = "echo";

    public static ListenerConfig Listener(string name, ListenerTlsConfig? tls = null) => new()
    {
        Name = name,
        Protocol = Protocol,
        Bind = "127.0.0.1:0",
        Tls = tls ?? ListenerTlsConfig.Off,
        Rules = ["unused.yaml"],
        Target = new TargetConfig { Host = "127.0.0.1", Port = 1 },
    };

    public static GatewayConfig Config(string stateDir, params ListenerConfig[] listeners) => new()
    {
        StateDir = stateDir,
        Listeners = [.. listeners],
    };

    public static GatewayServices Services(GatewayConfig config, ILoggerFactory? loggers = null, IPolicySource? rules = null) => new()
    {
        Config = config,
        Tokens = new RefuseAllTokens(),
        FrameLog = new DiscardingFrameLog(),
        Loggers = loggers ?? NullLoggerFactory.Instance,
        Policies = config.Listeners.ToDictionary(l => l.Name, _ => rules ?? new StubPolicySource()),
    };

    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "gateway-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private sealed class RefuseAllTokens : ITokenValidator
    {
        public ValueTask<TokenValidationResult> ValidateAsync(string token, CancellationToken cancellationToken) =>
            ValueTask.FromResult(TokenValidationResult.Refused(TokenRejection.Malformed, "test"));
    }

    private sealed class DiscardingFrameLog : IFrameLog
    {
        public ValueTask AppendAsync(FrameRecord record, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}

/// <summary>A rule source whose health a test can flip.</summary>
internal sealed class StubPolicySource : IPolicySource, IPolicy
{
    public IPolicy Current => this;
    public bool IsHealthy { get; set; } = true;
    public string? LastError { get; set; }

    public Decision Evaluate(SessionFacts session, Command command) =>
        new() { Action = DecisionAction.Deny, RuleId = "test" };
}
