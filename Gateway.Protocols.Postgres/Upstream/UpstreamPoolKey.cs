namespace Gateway.Protocols.Postgres.Upstream;

/// <summary>
/// What an upstream session was started with: a session is only handed to a client that would have started the
/// very same one — same role, same database, same forwarded startup parameters (<c>application_name</c>,
/// <c>TimeZone</c>, ...), whose values <c>DISCARD ALL</c> resets the settings back to.
/// </summary>
internal readonly record struct UpstreamPoolKey(string User, string Database, string Parameters)
{
    public static UpstreamPoolKey For(string user, string database, IReadOnlyDictionary<string, string> startupParameters)
    {
        // Names and values cannot contain NUL (the startup message is NUL-separated), so NUL separates them here.
        var parameters = string.Join('\0', startupParameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}\0{p.Value}"));
        return new UpstreamPoolKey(user, database, parameters);
    }
}
