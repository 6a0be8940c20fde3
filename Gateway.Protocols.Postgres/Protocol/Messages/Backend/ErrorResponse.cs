using System.Buffers;

namespace Gateway.Protocols.Postgres.Protocol.Messages;

/// <summary>
/// Field codes of ErrorResponse and NoticeResponse. Values are the wire bytes.
/// Spec: https://www.postgresql.org/docs/15/protocol-error-fields.html
/// </summary>
public enum PgErrorField : byte
{
    /// <summary>Severity, possibly localized.</summary>
    SeverityLocalized = (byte)'S',

    /// <summary>Severity, never localized (9.6+).</summary>
    Severity = (byte)'V',

    SqlState = (byte)'C',
    Message = (byte)'M',
    Detail = (byte)'D',
    Hint = (byte)'H',
    Position = (byte)'P',
    InternalPosition = (byte)'p',
    InternalQuery = (byte)'q',
    Where = (byte)'W',
    SchemaName = (byte)'s',
    TableName = (byte)'t',
    ColumnName = (byte)'c',
    DataTypeName = (byte)'d',
    ConstraintName = (byte)'n',
    File = (byte)'F',
    Line = (byte)'L',
    Routine = (byte)'R',
}

/// <summary>
/// The field list shared by ErrorResponse ('E') and NoticeResponse ('N'): code byte + string, repeated,
/// ended by a zero byte. Unknown codes are kept (the spec tells clients to ignore, not reject, them).
/// </summary>
public readonly struct PgDiagnosticFields
{
    private const int MaxFields = 64;

    private readonly KeyValuePair<PgErrorField, string>[] _fields;

    private PgDiagnosticFields(KeyValuePair<PgErrorField, string>[] fields) => _fields = fields;

    public IReadOnlyList<KeyValuePair<PgErrorField, string>> All => _fields ?? [];

    public string? this[PgErrorField code]
    {
        get
        {
            foreach (var field in All)
            {
                if (field.Key == code)
                    return field.Value;
            }
            return null;
        }
    }

    /// <summary>The non-localized severity when present, else the localized one.</summary>
    public string? Severity => this[PgErrorField.Severity] ?? this[PgErrorField.SeverityLocalized];

    public string? SqlState => this[PgErrorField.SqlState];

    public string? Message => this[PgErrorField.Message];

    public string? Detail => this[PgErrorField.Detail];

    public string? Hint => this[PgErrorField.Hint];

    public static PgDiagnosticFields Decode(ReadOnlySequence<byte> payload, string message)
    {
        var reader = new PgPayloadReader(payload, message);
        var fields = new List<KeyValuePair<PgErrorField, string>>(8);
        while (true)
        {
            var code = reader.ReadByte();
            if (code == 0)
                break;
            if (fields.Count == MaxFields)
                PgProtocolException.Throw(PgProtocolViolation.InvalidCount, $"{message}: more than {MaxFields} fields");
            fields.Add(new((PgErrorField)code, reader.ReadCString()));
        }
        reader.EnsureEnd();
        return new PgDiagnosticFields([.. fields]);
    }

    public override string ToString() => $"{Severity}: {Message} (SQLSTATE {SqlState})";
}

/// <summary>ErrorResponse ('E' from the server). Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html (ErrorResponse)</summary>
public readonly struct ErrorResponse
{
    public ErrorResponse(PgDiagnosticFields fields) => Fields = fields;

    public PgDiagnosticFields Fields { get; }

    public static ErrorResponse Decode(ReadOnlySequence<byte> payload) =>
        new(PgDiagnosticFields.Decode(payload, nameof(ErrorResponse)));

    public override string ToString() => Fields.ToString();
}

/// <summary>NoticeResponse ('N'). Same fields as <see cref="ErrorResponse"/>; never ends a command.</summary>
public readonly struct NoticeResponse
{
    public NoticeResponse(PgDiagnosticFields fields) => Fields = fields;

    public PgDiagnosticFields Fields { get; }

    public static NoticeResponse Decode(ReadOnlySequence<byte> payload) =>
        new(PgDiagnosticFields.Decode(payload, nameof(NoticeResponse)));

    public override string ToString() => Fields.ToString();
}
