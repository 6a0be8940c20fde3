using Gateway.Core.Policy;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>
/// The statements prepared with SQL <c>PREPARE name AS ...</c> in a recorded session, by name, so the backtest judges
/// <c>EXECUTE name</c> with the statements it runs, as the live session does (<see cref="Inherit(Command, Func{string, Command?})"/>
/// is shared; the live session keeps the server's whole name space, Parse included). Names are compared exactly: the
/// parser has already folded unquoted names, and a quoted name keeps its case on the server too.
/// </summary>
public sealed class SqlPreparedCommands
{
    private readonly Dictionary<string, Command> _prepared = new(StringComparer.Ordinal);

    public int Count => _prepared.Count;

    /// <summary>The command whose PREPARE created <paramref name="name"/>.</summary>
    public bool TryGet(string name, out Command command) => _prepared.TryGetValue(name, out command!);

    /// <summary><paramref name="command"/> with the statements of every <c>EXECUTE name</c> it holds added as nested ones.</summary>
    public Command Inherit(Command command) =>
        _prepared.Count == 0 ? command : Inherit(command, name => _prepared.GetValueOrDefault(name));

    /// <summary>
    /// <paramref name="command"/> with the statements of every <c>EXECUTE name</c> it holds added as nested ones, as
    /// <paramref name="preparedCommand"/> finds them (null: nothing known by that name).
    /// </summary>
    public static Command Inherit(Command command, Func<string, Command?> preparedCommand)
    {
        List<StatementInfo>? inherited = null;
        foreach (var statement in command.Statements)
        {
            if (statement.Kind == StatementKinds.Execute && statement.Name is { } name && preparedCommand(name) is { } prepared)
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
