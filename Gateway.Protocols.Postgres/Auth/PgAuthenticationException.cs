namespace Gateway.Protocols.Postgres.Auth;

/// <summary>
/// The client side of an authentication exchange failed: the server's SASL messages were malformed or
/// unverifiable, or the server asked for a method this client will not use. Never carries a secret.
/// </summary>
public sealed class PgAuthenticationException(string message) : Exception(message);
