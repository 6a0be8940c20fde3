namespace Gateway.Host.Hosting;

/// <summary>The gateway cannot start: a listener or the admin endpoint cannot bind, a protocol has no handler.</summary>
public sealed class GatewayStartException(string message, Exception? inner = null) : Exception(message, inner);
