using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

// Small fixed-shape backend messages. Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html

/// <summary>ParameterStatus ('S' from the server): a run-time parameter's name and current value.</summary>
public readonly record struct ParameterStatus(string Name, string Value)
{
    public static ParameterStatus Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(ParameterStatus));
        var name = reader.ReadCString();
        var value = reader.ReadCString();
        reader.EnsureEnd();
        return new ParameterStatus(name, value);
    }
}

/// <summary>BackendKeyData ('K'): the process id and secret key a CancelRequest must quote (protocol 3.0: 4-byte key).</summary>
public readonly record struct BackendKeyData(int ProcessId, int SecretKey)
{
    public static BackendKeyData Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(BackendKeyData));
        var processId = reader.ReadInt32();
        var secretKey = reader.ReadInt32();
        reader.EnsureEnd();
        return new BackendKeyData(processId, secretKey);
    }

    public override string ToString() => $"BackendKeyData(pid {ProcessId})";
}

/// <summary>ReadyForQuery ('Z'): the server awaits a new command; carries the transaction status.</summary>
public readonly record struct ReadyForQuery(TransactionStatus Status)
{
    public static ReadyForQuery Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(ReadyForQuery));
        var status = reader.ReadByte();
        reader.EnsureEnd();
        if (status is not ((byte)'I' or (byte)'T' or (byte)'E'))
            PgProtocolException.Throw(PgProtocolViolation.InvalidFieldValue, $"{nameof(ReadyForQuery)}: status {PgMessageReader.TypeText(status)}");
        return new ReadyForQuery((TransactionStatus)status);
    }
}

/// <summary>CommandComplete ('C' from the server): the command tag, e.g. <c>SELECT 5</c>, <c>INSERT 0 1</c>.</summary>
public readonly record struct CommandComplete(string Tag)
{
    public static CommandComplete Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(CommandComplete));
        var tag = reader.ReadCString(maxBytes: 1024);
        reader.EnsureEnd();
        return new CommandComplete(tag);
    }

    /// <summary>The trailing row count of tags that carry one (SELECT, INSERT, UPDATE, DELETE, MERGE, FETCH, MOVE, COPY).</summary>
    public long? RowCount
    {
        get
        {
            var space = Tag.LastIndexOf(' ');
            return space > 0 && long.TryParse(Tag.AsSpan(space + 1), System.Globalization.NumberStyles.None, null, out var rows)
                ? rows
                : null;
        }
    }
}

/// <summary>NotificationResponse ('A'): a NOTIFY delivered to this session.</summary>
public readonly record struct NotificationResponse(int ProcessId, string Channel, string Payload)
{
    public static NotificationResponse Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(NotificationResponse));
        var processId = reader.ReadInt32();
        var channel = reader.ReadCString();
        var message = reader.ReadCString();
        reader.EnsureEnd();
        return new NotificationResponse(processId, channel, message);
    }
}

/// <summary>FunctionCallResponse ('V'): the function's result value (length -1 = NULL).</summary>
public readonly struct FunctionCallResponse
{
    public FunctionCallResponse(PgValue result) => Result = result;

    public PgValue Result { get; }

    public static FunctionCallResponse Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(FunctionCallResponse));
        var result = reader.ReadValue();
        reader.EnsureEnd();
        return new FunctionCallResponse(result);
    }
}

/// <summary>NegotiateProtocolVersion ('v'): the newest minor version the server supports and the protocol options it did not recognise.</summary>
public readonly struct NegotiateProtocolVersion
{
    private const int MaxOptions = 64;

    public NegotiateProtocolVersion(int newestMinorVersion, IReadOnlyList<string> unrecognizedOptions)
    {
        NewestMinorVersion = newestMinorVersion;
        UnrecognizedOptions = unrecognizedOptions;
    }

    public int NewestMinorVersion { get; }

    public IReadOnlyList<string> UnrecognizedOptions { get; }

    public static NegotiateProtocolVersion Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(NegotiateProtocolVersion));
        var minor = reader.ReadInt32();
        var count = reader.ReadInt32();
        if (count < 0 || count > MaxOptions)
            PgProtocolException.Throw(PgProtocolViolation.InvalidCount, $"{nameof(NegotiateProtocolVersion)}: option count {count} is outside 0..{MaxOptions}");
        var options = new string[count];
        for (var i = 0; i < count; i++)
            options[i] = reader.ReadCString();
        reader.EnsureEnd();
        return new NegotiateProtocolVersion(minor, options);
    }
}

/// <summary>ParameterDescription ('t'): the parameter type OIDs of a described statement.</summary>
public readonly struct ParameterDescription
{
    public ParameterDescription(IReadOnlyList<uint> parameterTypes) => ParameterTypes = parameterTypes;

    public IReadOnlyList<uint> ParameterTypes { get; }

    public static ParameterDescription Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(ParameterDescription));
        var count = reader.ReadCount("parameter");
        var types = new uint[count];
        for (var i = 0; i < count; i++)
            types[i] = reader.ReadUInt32();
        reader.EnsureEnd();
        return new ParameterDescription(types);
    }
}
