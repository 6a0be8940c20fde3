namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>
/// CancelRequest: sent on a fresh connection with the target backend's process id and secret key.
/// Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html (CancelRequest)
/// </summary>
public readonly record struct CancelRequest(int ProcessId, int SecretKey)
{
    public static CancelRequest Decode(in PgStartupFrame frame)
    {
        if (frame.Kind != StartupRequestKind.CancelRequest)
            throw new ArgumentException($"not a CancelRequest: {frame.Kind}", nameof(frame));
        var reader = new PgPayloadReader(frame.Payload, nameof(CancelRequest));
        var processId = reader.ReadInt32();
        var secretKey = reader.ReadInt32();
        reader.EnsureEnd();
        return new CancelRequest(processId, secretKey);
    }

    // The key is a secret for the lifetime of the backend: keep it out of logs.
    public override string ToString() => $"CancelRequest(pid {ProcessId})";
}
