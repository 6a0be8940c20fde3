using System.Collections.Immutable;

namespace Gateway.Core.Policy;

/// <summary>How a command reached the gateway; some origins are policy subjects of their own.</summary>
public enum CommandOrigin
{
    /// <summary>Text sent for immediate execution (PostgreSQL simple Query, MySQL COM_QUERY).</summary>
    Query,
    /// <summary>Text prepared for later execution (PostgreSQL Parse, MySQL COM_STMT_PREPARE).</summary>
    Prepare,
    /// <summary>Execution of an already analysed prepared statement.</summary>
    Execute,
    /// <summary>A protocol-level function call (PostgreSQL FunctionCall 'F').</summary>
    FunctionCall,
    /// <summary>A replication connection request.</summary>
    Replication,
    /// <summary>An HTTP request (Kubernetes API).</summary>
    Request,
}

/// <summary>
/// A protocol-neutral command: what the client asked for, analysed into statements. Built by a
/// protocol's analyser, evaluated by the rule engine, recorded in the frame log.
/// </summary>
public sealed record Command
{
    public required string Protocol { get; init; }
    public required CommandOrigin Origin { get; init; }

    /// <summary>The command text as the client sent it (redaction happens when it is recorded).</summary>
    public required string Text { get; init; }

    /// <summary>Every statement, top-level and nested, in document order.</summary>
    public ImmutableArray<StatementInfo> Statements { get; init; } = [];

    /// <summary>True when the analyser could not parse the text: such a command is denied (fail closed).</summary>
    public bool ParseError { get; init; }

    public string? ParseErrorMessage { get; init; }

    /// <summary>True when any statement, nested ones included, writes data or schema.</summary>
    public bool ModifiesData
    {
        get
        {
            foreach (var statement in Statements)
            {
                if (statement.ModifiesData)
                    return true;
            }
            return false;
        }
    }
}
