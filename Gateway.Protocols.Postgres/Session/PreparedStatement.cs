using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Protocol.Messages;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>
/// A statement the client prepared with Parse (named, or the unnamed one). Its analysis is kept so Bind and Execute
/// cost no parse; the decision is re-evaluated per execution against the current rules snapshot (cheap), so a rule
/// reload also applies to statements prepared before it.
/// </summary>
internal sealed class PreparedStatement(string name, string text, Command analysis)
{
    public string Name { get; } = name;
    public string Text { get; } = text;
    public Command Analysis { get; } = analysis;

    /// <summary>Result columns, once a Describe of the statement was answered (written by the server loop).</summary>
    public volatile RowField[]? Columns;
}

/// <summary>A portal the client bound: a statement plus parameters and result formats.</summary>
internal sealed class Portal(string name, PreparedStatement statement, short[] resultFormats, string?[] parameters)
{
    public string Name { get; } = name;
    public PreparedStatement Statement { get; } = statement;

    /// <summary>Result format codes from Bind (empty = all text, one = applies to all).</summary>
    public short[] ResultFormats { get; } = resultFormats;

    /// <summary>Parameters as recorded (redacted, capped), for the command record.</summary>
    public string?[] Parameters { get; } = parameters;

    /// <summary>Result columns from a Describe of the portal (written by the server loop).</summary>
    public volatile RowField[]? Columns;

    /// <summary>
    /// The command the portal's first forwarded Execute was judged as. The server runs a portal's statement once: a
    /// later Execute reads on (a SELECT's rows, or the stored result of an EXECUTE or FETCH), even if the name that
    /// statement referred to means something else by then, so later Executes are judged as the first.
    /// </summary>
    public volatile Command? Judged;   // set by the client loop, cleared by the server loop

    /// <summary>The server answered the Execute that set <see cref="Judged"/>: from then on it certainly ran.</summary>
    public volatile bool FirstAnswered;

    /// <summary>The columns the rows will have: the portal's own description, else the statement's with Bind's formats.</summary>
    public RowField[]? ResolveColumns()
    {
        if (Columns is { } described)
            return described;
        if (Statement.Columns is not { } statementColumns)
            return null;
        var resolved = new RowField[statementColumns.Length];
        for (var i = 0; i < resolved.Length; i++)
        {
            var format = ResultFormats.Length switch
            {
                0 => (short)0,
                1 => ResultFormats[0],
                _ => i < ResultFormats.Length ? ResultFormats[i] : (short)0,
            };
            resolved[i] = statementColumns[i] with { Format = format };
        }
        return resolved;
    }
}
