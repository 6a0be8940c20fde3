namespace Gateway.Host.Cli;

/// <summary>Exit codes every subcommand uses, so scripts can tell a finding from a broken invocation.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command ran and found a problem (verify: chain broken; rules test: new denials; lint: errors).</summary>
    public const int Finding = 1;

    /// <summary>Bad usage or a configuration that does not load.</summary>
    public const int ConfigError = 2;

    /// <summary>A runtime failure (cannot bind, cannot read the state directory, ...).</summary>
    public const int RuntimeError = 3;
}
