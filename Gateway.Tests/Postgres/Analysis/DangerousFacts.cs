using Gateway.Core.Policy;

namespace Gateway.Tests.Postgres.Analysis;

/// <summary>
/// What examples/rules/agents.yaml denies, expressed over analysis facts: the benign corpus must show none of
/// these, and each bypass entry must show the one it names.
/// </summary>
internal static class DangerousFacts
{
    public static readonly HashSet<string> DeniedKinds = new(StringComparer.Ordinal)
    {
        StatementKinds.Create, StatementKinds.Alter, StatementKinds.Drop, StatementKinds.Truncate,
        StatementKinds.CopyProgram, StatementKinds.CopyFile, StatementKinds.Do, StatementKinds.Call,
        StatementKinds.Grant, StatementKinds.Revoke, StatementKinds.Role, StatementKinds.SetRole,
        StatementKinds.AlterSystem, StatementKinds.Load, StatementKinds.FunctionCallMessage, StatementKinds.Replication,
    };

    public static readonly HashSet<string> DeniedFunctions = new(StringComparer.Ordinal)
    {
        "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file", "lo_import", "lo_export",
        "pg_terminate_backend", "pg_cancel_backend", "set_config", "pg_reload_conf", "pg_rotate_logfile", "pg_promote",
    };

    public static bool IsDeniedFunction(string name) => DeniedFunctions.Contains(name) || name.StartsWith("dblink", StringComparison.Ordinal);

    /// <summary>Every dangerous fact of a command, as readable strings (empty when the command is harmless).</summary>
    public static List<string> Of(Command command)
    {
        var facts = new List<string>();
        if (command.ParseError)
            facts.Add($"parse_error ({command.ParseErrorMessage})");
        foreach (var statement in command.Statements)
        {
            if (DeniedKinds.Contains(statement.Kind))
                facts.Add($"kind:{statement.Kind}");
            if (statement.Kind is StatementKinds.Update or StatementKinds.Delete && statement.HasWhere != true)
                facts.Add($"no_where:{statement.Kind}");
            foreach (var function in statement.Functions)
            {
                if (IsDeniedFunction(function))
                    facts.Add($"function:{function}");
            }
        }
        return facts;
    }

    /// <summary>Whether the command shows the fact a bypass entry expects.</summary>
    public static bool Shows(Command command, string expect)
    {
        if (expect == "parse_error")
            return command.ParseError;
        var colon = expect.IndexOf(':', StringComparison.Ordinal);
        var (what, value) = (expect[..colon], expect[(colon + 1)..]);
        return what switch
        {
            "kind" => command.Statements.Any(s => s.Kind == value),
            "function" => command.Statements.Any(s => s.Functions.Contains(value)),
            "no_where" => command.Statements.Any(s => s.Kind == value && s.HasWhere == false),
            _ => throw new InvalidDataException($"unknown expectation '{expect}'"),
        };
    }
}
