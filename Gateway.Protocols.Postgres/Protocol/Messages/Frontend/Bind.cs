using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>
/// Bind ('B'): portal, statement, parameter format codes (0, 1 or one per parameter), parameter values
/// (int32 length, -1 = NULL), result format codes.
/// Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html (Bind)
/// </summary>
public readonly struct Bind
{
    private Bind(string portal, string statement, PgFormatCodes parameterFormats, PgValueList parameters, PgFormatCodes resultFormats)
    {
        Portal = portal;
        Statement = statement;
        ParameterFormats = parameterFormats;
        Parameters = parameters;
        ResultFormats = resultFormats;
    }

    /// <summary>Empty for the unnamed portal.</summary>
    public string Portal { get; }

    /// <summary>Empty for the unnamed statement.</summary>
    public string Statement { get; }

    public PgFormatCodes ParameterFormats { get; }

    public PgValueList Parameters { get; }

    public PgFormatCodes ResultFormats { get; }

    public static Bind Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new PgPayloadReader(payload, nameof(Bind));
        var portal = reader.ReadCString();
        var statement = reader.ReadCString();
        var formats = PgFormatCodes.Read(ref reader, "parameter format");
        var count = reader.ReadCount("parameter");
        if (formats.Count > 1 && formats.Count != count)
            PgProtocolException.Throw(PgProtocolViolation.CountMismatch, $"{nameof(Bind)}: {formats.Count} parameter formats but {count} parameters");
        var parameters = PgValueList.Read(ref reader, count);
        var results = PgFormatCodes.Read(ref reader, "result format");
        reader.EnsureEnd();
        return new Bind(portal, statement, formats, parameters, results);
    }
}
