using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>
/// FunctionCall ('F'): function OID, argument format codes (0, 1 or n), arguments, result format code.
/// Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html (FunctionCall)
/// </summary>
public readonly struct FunctionCall
{
    private FunctionCall(uint functionOid, PgFormatCodes argumentFormats, PgValueList arguments, short resultFormat)
    {
        FunctionOid = functionOid;
        ArgumentFormats = argumentFormats;
        Arguments = arguments;
        ResultFormat = resultFormat;
    }

    public uint FunctionOid { get; }

    public PgFormatCodes ArgumentFormats { get; }

    public PgValueList Arguments { get; }

    public short ResultFormat { get; }

    public static FunctionCall Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(FunctionCall));
        var oid = reader.ReadUInt32();
        var formats = PgFormatCodes.Read(ref reader, "argument format");
        var count = reader.ReadCount("argument");
        if (formats.Count > 1 && formats.Count != count)
            PgProtocolException.Throw(PgProtocolViolation.CountMismatch, $"{nameof(FunctionCall)}: {formats.Count} argument formats but {count} arguments");
        var arguments = PgValueList.Read(ref reader, count);
        var resultFormat = reader.ReadFormatCode();
        reader.EnsureEnd();
        return new FunctionCall(oid, formats, arguments, resultFormat);
    }
}
