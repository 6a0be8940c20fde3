using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

// Messages whose body is empty: decoding only checks that it is.
// Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html

/// <summary>Sync ('S' from the client): end of an extended-query batch.</summary>
public readonly struct Sync
{
    public static Sync Decode(ReadOnlySequence<byte> payload) => EmptyBody.Check<Sync>(payload, nameof(Sync));
}

/// <summary>Flush ('H' from the client).</summary>
public readonly struct Flush
{
    public static Flush Decode(ReadOnlySequence<byte> payload) => EmptyBody.Check<Flush>(payload, nameof(Flush));
}

/// <summary>Terminate ('X').</summary>
public readonly struct Terminate
{
    public static Terminate Decode(ReadOnlySequence<byte> payload) => EmptyBody.Check<Terminate>(payload, nameof(Terminate));
}

/// <summary>CopyDone ('c', both directions).</summary>
public readonly struct CopyDone
{
    public static CopyDone Decode(ReadOnlySequence<byte> payload) => EmptyBody.Check<CopyDone>(payload, nameof(CopyDone));
}

/// <summary>EmptyQueryResponse ('I'): the query string was empty.</summary>
public readonly struct EmptyQueryResponse
{
    public static EmptyQueryResponse Decode(ReadOnlySequence<byte> payload) => EmptyBody.Check<EmptyQueryResponse>(payload, nameof(EmptyQueryResponse));
}

/// <summary>ParseComplete ('1').</summary>
public readonly struct ParseComplete
{
    public static ParseComplete Decode(ReadOnlySequence<byte> payload) => EmptyBody.Check<ParseComplete>(payload, nameof(ParseComplete));
}

/// <summary>BindComplete ('2').</summary>
public readonly struct BindComplete
{
    public static BindComplete Decode(ReadOnlySequence<byte> payload) => EmptyBody.Check<BindComplete>(payload, nameof(BindComplete));
}

/// <summary>CloseComplete ('3').</summary>
public readonly struct CloseComplete
{
    public static CloseComplete Decode(ReadOnlySequence<byte> payload) => EmptyBody.Check<CloseComplete>(payload, nameof(CloseComplete));
}

/// <summary>NoData ('n'): the described statement or portal returns no rows.</summary>
public readonly struct NoData
{
    public static NoData Decode(ReadOnlySequence<byte> payload) => EmptyBody.Check<NoData>(payload, nameof(NoData));
}

/// <summary>PortalSuspended ('s'): Execute's row limit was reached.</summary>
public readonly struct PortalSuspended
{
    public static PortalSuspended Decode(ReadOnlySequence<byte> payload) => EmptyBody.Check<PortalSuspended>(payload, nameof(PortalSuspended));
}

internal static class EmptyBody
{
    public static T Check<T>(ReadOnlySequence<byte> payload, string message) where T : struct
    {
        new PgPayloadReader(payload, message).EnsureEnd();
        return default;
    }
}
