using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>
/// StartupMessage: protocol version, then name/value string pairs ended by an empty name.
/// Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html (StartupMessage)
/// </summary>
public readonly struct StartupMessage
{
    /// <summary>Longest parameter name or value accepted (the whole packet is capped at 10000 anyway).</summary>
    public const int MaxStringBytes = PgMessageReader.MaxStartupPacketLength;

    public StartupMessage(int protocolVersion, IReadOnlyDictionary<string, string> parameters)
    {
        ProtocolVersion = protocolVersion;
        Parameters = parameters;
    }

    public int ProtocolVersion { get; }

    /// <summary>Every parameter as sent, in ordinal-compared names (<c>user</c>, <c>database</c>, <c>options</c>, <c>_pq_.*</c>, ...).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    public string? User => Parameters.GetValueOrDefault("user");

    public string? Database => Parameters.GetValueOrDefault("database");

    public static StartupMessage Decode(in PgStartupFrame frame)
    {
        if (frame.Kind != StartupRequestKind.Startup)
            throw new ArgumentException($"not a StartupMessage: {frame.Kind}", nameof(frame));
        return Decode(frame.Code, frame.Payload);
    }

    /// <param name="payload">The bytes after the protocol version.</param>
    public static StartupMessage Decode(int protocolVersion, ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(StartupMessage));
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            var name = reader.ReadCString(MaxStringBytes);
            if (name.Length == 0)
                break;
            var value = reader.ReadCString(MaxStringBytes);
            if (!parameters.TryAdd(name, value))
                PgProtocolException.Throw(PgProtocolViolation.DuplicateParameter, $"{nameof(StartupMessage)}: parameter \"{name}\" given twice");
        }
        reader.EnsureEnd();
        return new StartupMessage(protocolVersion, parameters);
    }
}
