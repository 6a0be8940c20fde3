using System.Collections.Frozen;

namespace Gateway.Core.Policy;

/// <summary>
/// The vocabulary of statement kinds that analysers produce and rule files match (<c>match.statements</c>).
/// docs/rules.md documents each; <c>rules lint</c> rejects any other name.
/// </summary>
public static class StatementKinds
{
    public const string Select = "select";
    public const string Insert = "insert";
    public const string Update = "update";
    public const string Delete = "delete";
    public const string Merge = "merge";
    public const string CopyTo = "copy_to";
    public const string CopyFrom = "copy_from";
    public const string CopyProgram = "copy_program";
    public const string CopyFile = "copy_file";
    public const string Create = "create";
    public const string Alter = "alter";
    public const string Drop = "drop";
    public const string Truncate = "truncate";
    public const string Grant = "grant";
    public const string Revoke = "revoke";
    public const string Role = "role";
    public const string Set = "set";
    public const string SetRole = "set_role";
    public const string Show = "show";
    public const string Transaction = "transaction";
    public const string Explain = "explain";
    public const string ExplainAnalyze = "explain_analyze";
    public const string Do = "do";
    public const string Call = "call";
    public const string Prepare = "prepare";
    public const string Execute = "execute";
    public const string Deallocate = "deallocate";
    public const string Lock = "lock";
    public const string Vacuum = "vacuum";
    public const string Analyze = "analyze";
    public const string AlterSystem = "alter_system";
    public const string Load = "load";
    public const string Listen = "listen";
    public const string Notify = "notify";
    public const string Unlisten = "unlisten";
    public const string Cursor = "cursor";
    public const string Fetch = "fetch";
    public const string Discard = "discard";
    public const string Reset = "reset";
    public const string Comment = "comment";
    public const string Security = "security_label";
    public const string Refresh = "refresh";
    public const string Reindex = "reindex";
    public const string Cluster = "cluster";
    public const string Checkpoint = "checkpoint";
    public const string FunctionCallMessage = "function_call_message";
    public const string Replication = "replication";
    public const string Empty = "empty";
    public const string Other = "other";

    /// <summary>Every valid name, for lint and schema generation.</summary>
    public static readonly FrozenSet<string> All = new[]
    {
        Select, Insert, Update, Delete, Merge, CopyTo, CopyFrom, CopyProgram, CopyFile, Create, Alter, Drop,
        Truncate, Grant, Revoke, Role, Set, SetRole, Show, Transaction, Explain, ExplainAnalyze, Do, Call,
        Prepare, Execute, Deallocate, Lock, Vacuum, Analyze, AlterSystem, Load, Listen, Notify, Unlisten,
        Cursor, Fetch, Discard, Reset, Comment, Security, Refresh, Reindex, Cluster, Checkpoint,
        FunctionCallMessage, Replication, Empty, Other,
    }.ToFrozenSet(StringComparer.Ordinal);
}
