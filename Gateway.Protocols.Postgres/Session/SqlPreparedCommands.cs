using Gateway.Core.Policy;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>
/// The statements a session prepared with SQL <c>PREPARE name AS ...</c>, by name (case-insensitive, as the server
/// folds unquoted names), so <c>EXECUTE name</c> is judged with the statements it runs. A session keeps one; the
/// backtest keeps one per recorded session, so both judge an EXECUTE alike.
/// </summary>
public sealed class SqlPreparedCommands
{
    private readonly Dictionary<string, Command> _prepared = new(StringComparer.OrdinalIgnoreCase);

    public int Count => _prepared.Count;

    /// <summary>The command whose PREPARE created <paramref name="name"/>.</summary>
    public bool TryGet(string name, out Command command) => _prepared.TryGetValue(name, out command!);

    /// <summary><paramref name="command"/> with the statements of every <c>EXECUTE name</c> it holds added as nested ones.</summary>
    public Command Inherit(Command command)
    {
        if (_prepared.Count == 0)
            return command;
        List<StatementInfo>? inherited = null;
        foreach (var statement in command.Statements)
        {
            if (statement.Kind == StatementKinds.Execute && statement.Name is { } name && _prepared.TryGetValue(name, out var prepared))
            {
                inherited ??= [.. command.Statements];
                inherited.AddRange(prepared.Statements.Select(s => s with { Nested = true }));
            }
        }
        return inherited is null ? command : command with { Statements = [.. inherited] };
    }

    /// <summary>Notes the PREPAREs and DEALLOCATEs of a command that was forwarded to the server.</summary>
    public void Remember(Command command)
    {
        foreach (var statement in command.Statements)
        {
            if (statement.Nested || statement.Name is not { } name)
                continue;
            if (statement.Kind == StatementKinds.Prepare)
                _prepared[name] = command;
            else if (statement.Kind == StatementKinds.Deallocate)
                _prepared.Remove(name);
        }
    }
}
