using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>Which copy sub-protocol the server entered. Values are the wire bytes.</summary>
public enum CopyDirection : byte
{
    /// <summary>CopyInResponse ('G'): the client sends CopyData (COPY FROM STDIN).</summary>
    In = (byte)'G',

    /// <summary>CopyOutResponse ('H'): the server sends CopyData (COPY TO STDOUT).</summary>
    Out = (byte)'H',

    /// <summary>CopyBothResponse ('W'): both directions (replication).</summary>
    Both = (byte)'W',
}

/// <summary>
/// CopyInResponse / CopyOutResponse / CopyBothResponse: the three share one layout — overall format (int8),
/// column count, one format code per column (all 0 when the overall format is text).
/// Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html (CopyInResponse)
/// </summary>
public readonly struct CopyResponse
{
    private CopyResponse(CopyDirection direction, byte overallFormat, PgFormatCodes columnFormats)
    {
        Direction = direction;
        OverallFormat = overallFormat;
        ColumnFormats = columnFormats;
    }

    public CopyDirection Direction { get; }

    /// <summary>0 text, 1 binary.</summary>
    public byte OverallFormat { get; }

    public PgFormatCodes ColumnFormats { get; }

    public static CopyResponse Decode(CopyDirection direction, ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(CopyResponse));
        var overall = reader.ReadByte();
        if (overall > 1)
            PgProtocolException.Throw(PgProtocolViolation.InvalidFormatCode, $"{nameof(CopyResponse)}: overall format {overall}");
        var formats = PgFormatCodes.Read(ref reader, "column format");
        reader.EnsureEnd();
        if (overall == 0)
        {
            for (var i = 0; i < formats.Count; i++)
            {
                if (formats.For(i) != 0)
                    PgProtocolException.Throw(PgProtocolViolation.InvalidFormatCode, $"{nameof(CopyResponse)}: binary column {i} in a text copy");
            }
        }
        return new CopyResponse(direction, overall, formats);
    }
}
