namespace Gateway.Core.Config;

/// <summary>
/// Reuse of authenticated upstream sessions between client sessions (<c>target.pool</c>). Off unless
/// <see cref="MaxIdle"/> is set: a reused session carries whatever <c>DISCARD ALL</c> does not reset from one
/// client to the next (docs/postgres.md "Upstream session reuse"), so an operator turns it on knowingly.
/// </summary>
public sealed class TargetPoolConfig
{
    /// <summary>
    /// Idle upstream sessions kept for the target, all roles, databases and startup parameters together (clients
    /// choose part of that key, so the bound cannot be per key); 0 (the default) turns reuse off.
    /// </summary>
    public int MaxIdle { get; set; }

    /// <summary>An idle upstream session unused this long is closed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>An upstream session this old is closed when its client leaves instead of being kept.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromHours(1);

    public bool Enabled => MaxIdle > 0;
}
