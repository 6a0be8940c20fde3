using System.Collections.Frozen;
using System.Text.Json;
using Gateway.Core.Policy;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// Maps a PostgreSQL statement node (every <c>*Stmt</c> type of the PostgreSQL 15 grammar) to its
/// <see cref="StatementKinds"/> kind and the facts read from its own fields. Nested content (tables,
/// functions, inner statements) is collected by <see cref="ParseTreeWalker"/>.
/// </summary>
internal static class StatementClassifier
{
    private readonly record struct Shape(string Kind, bool ModifiesData);

    private static Shape Reads(string kind) => new(kind, false);

    private static Shape Writes(string kind) => new(kind, true);

    /// <summary>Types whose kind needs no look at their fields. Anything unlisted is <c>other</c> and a write.</summary>
    private static readonly FrozenDictionary<string, Shape> Simple = new Dictionary<string, Shape>(StringComparer.Ordinal)
    {
        ["InsertStmt"] = Writes(StatementKinds.Insert),
        ["MergeStmt"] = Writes(StatementKinds.Merge),
        ["ReturnStmt"] = Reads(StatementKinds.Select),
        ["SetOperationStmt"] = Reads(StatementKinds.Select),
        ["TruncateStmt"] = Writes(StatementKinds.Truncate),
        ["CommentStmt"] = Writes(StatementKinds.Comment),
        ["SecLabelStmt"] = Writes(StatementKinds.Security),
        ["DoStmt"] = Writes(StatementKinds.Do),
        ["CallStmt"] = Writes(StatementKinds.Call),
        ["LoadStmt"] = Writes(StatementKinds.Load),
        ["RefreshMatViewStmt"] = Writes(StatementKinds.Refresh),
        ["TransactionStmt"] = Reads(StatementKinds.Transaction),
        ["LockStmt"] = Reads(StatementKinds.Lock),
        ["ReindexStmt"] = Reads(StatementKinds.Reindex),
        ["ClusterStmt"] = Reads(StatementKinds.Cluster),
        ["CheckPointStmt"] = Reads(StatementKinds.Checkpoint),

        ["CreateRoleStmt"] = Writes(StatementKinds.Role),
        ["AlterRoleStmt"] = Writes(StatementKinds.Role),
        ["DropRoleStmt"] = Writes(StatementKinds.Role),

        ["CreateStmt"] = Writes(StatementKinds.Create),
        ["CreateTableAsStmt"] = Writes(StatementKinds.Create),
        ["CreateForeignTableStmt"] = Writes(StatementKinds.Create),
        ["CreateSchemaStmt"] = Writes(StatementKinds.Create),
        ["CreateFunctionStmt"] = Writes(StatementKinds.Create),
        ["CreateTrigStmt"] = Writes(StatementKinds.Create),
        ["CreateEventTrigStmt"] = Writes(StatementKinds.Create),
        ["CreatePLangStmt"] = Writes(StatementKinds.Create),
        ["CreateDomainStmt"] = Writes(StatementKinds.Create),
        ["CreatedbStmt"] = Writes(StatementKinds.Create),
        ["CreateSeqStmt"] = Writes(StatementKinds.Create),
        ["CreateConversionStmt"] = Writes(StatementKinds.Create),
        ["CreateCastStmt"] = Writes(StatementKinds.Create),
        ["CreateOpClassStmt"] = Writes(StatementKinds.Create),
        ["CreateOpFamilyStmt"] = Writes(StatementKinds.Create),
        ["CreateTableSpaceStmt"] = Writes(StatementKinds.Create),
        ["CreateEnumStmt"] = Writes(StatementKinds.Create),
        ["CreateRangeStmt"] = Writes(StatementKinds.Create),
        ["CreateFdwStmt"] = Writes(StatementKinds.Create),
        ["CreateForeignServerStmt"] = Writes(StatementKinds.Create),
        ["CreateUserMappingStmt"] = Writes(StatementKinds.Create),
        ["CreateExtensionStmt"] = Writes(StatementKinds.Create),
        ["CreatePolicyStmt"] = Writes(StatementKinds.Create),
        ["CreateTransformStmt"] = Writes(StatementKinds.Create),
        ["CreateAmStmt"] = Writes(StatementKinds.Create),
        ["CreatePublicationStmt"] = Writes(StatementKinds.Create),
        ["CreateSubscriptionStmt"] = Writes(StatementKinds.Create),
        ["CreateStatsStmt"] = Writes(StatementKinds.Create),
        ["CompositeTypeStmt"] = Writes(StatementKinds.Create),
        ["DefineStmt"] = Writes(StatementKinds.Create),
        ["IndexStmt"] = Writes(StatementKinds.Create),
        ["ViewStmt"] = Writes(StatementKinds.Create),
        ["RuleStmt"] = Writes(StatementKinds.Create),
        ["ImportForeignSchemaStmt"] = Writes(StatementKinds.Create),

        ["AlterTableStmt"] = Writes(StatementKinds.Alter),
        ["AlterDomainStmt"] = Writes(StatementKinds.Alter),
        ["AlterFunctionStmt"] = Writes(StatementKinds.Alter),
        ["AlterSeqStmt"] = Writes(StatementKinds.Alter),
        ["AlterDatabaseStmt"] = Writes(StatementKinds.Alter),
        ["AlterDatabaseRefreshCollStmt"] = Writes(StatementKinds.Alter),
        ["AlterOpFamilyStmt"] = Writes(StatementKinds.Alter),
        ["AlterObjectDependsStmt"] = Writes(StatementKinds.Alter),
        ["AlterObjectSchemaStmt"] = Writes(StatementKinds.Alter),
        ["AlterOwnerStmt"] = Writes(StatementKinds.Alter),
        ["AlterOperatorStmt"] = Writes(StatementKinds.Alter),
        ["AlterTypeStmt"] = Writes(StatementKinds.Alter),
        ["AlterEnumStmt"] = Writes(StatementKinds.Alter),
        ["AlterTSDictionaryStmt"] = Writes(StatementKinds.Alter),
        ["AlterTSConfigurationStmt"] = Writes(StatementKinds.Alter),
        ["AlterFdwStmt"] = Writes(StatementKinds.Alter),
        ["AlterForeignServerStmt"] = Writes(StatementKinds.Alter),
        ["AlterUserMappingStmt"] = Writes(StatementKinds.Alter),
        ["AlterTableSpaceOptionsStmt"] = Writes(StatementKinds.Alter),
        ["AlterTableMoveAllStmt"] = Writes(StatementKinds.Alter),
        ["AlterExtensionStmt"] = Writes(StatementKinds.Alter),
        ["AlterExtensionContentsStmt"] = Writes(StatementKinds.Alter),
        ["AlterEventTrigStmt"] = Writes(StatementKinds.Alter),
        ["AlterPolicyStmt"] = Writes(StatementKinds.Alter),
        ["AlterPublicationStmt"] = Writes(StatementKinds.Alter),
        ["AlterSubscriptionStmt"] = Writes(StatementKinds.Alter),
        ["AlterCollationStmt"] = Writes(StatementKinds.Alter),
        ["AlterStatsStmt"] = Writes(StatementKinds.Alter),
        ["ReplicaIdentityStmt"] = Writes(StatementKinds.Alter),
        ["ReassignOwnedStmt"] = Writes(StatementKinds.Alter),
        ["AlterDatabaseSetStmt"] = Writes(StatementKinds.Alter),

        ["DropdbStmt"] = Writes(StatementKinds.Drop),
        ["DropTableSpaceStmt"] = Writes(StatementKinds.Drop),
        ["DropUserMappingStmt"] = Writes(StatementKinds.Drop),
        ["DropOwnedStmt"] = Writes(StatementKinds.Drop),
        ["DropSubscriptionStmt"] = Writes(StatementKinds.Drop),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every statement type this classifier knows, for the completeness test against the grammar.</summary>
    internal static IEnumerable<string> KnownTypes => Simple.Keys.Concat(
    [
        "SelectStmt", "UpdateStmt", "DeleteStmt", "CopyStmt", "GrantStmt", "GrantRoleStmt", "AlterDefaultPrivilegesStmt",
        "AlterSystemStmt", "AlterRoleSetStmt", "VariableSetStmt", "VariableShowStmt", "ConstraintsSetStmt", "ExplainStmt",
        "VacuumStmt", "DropStmt", "RenameStmt", "PrepareStmt", "ExecuteStmt", "DeallocateStmt", "DiscardStmt", "DeclareCursorStmt",
        "FetchStmt", "ClosePortalStmt", "ListenStmt", "NotifyStmt", "UnlistenStmt",
    ]);

    /// <summary>Object types whose DROP names relations (reported as tables).</summary>
    private static readonly FrozenSet<string> DroppedRelationTypes = new[]
    {
        "OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_FOREIGN_TABLE", "OBJECT_SEQUENCE", "OBJECT_INDEX",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Classifies a statement whose kind follows from its type alone; false when its fields must be read
    /// (then call <see cref="Classify"/> with the complete node).
    /// </summary>
    public static bool TryClassifyByType(string type, StatementBuilder statement)
    {
        if (type == "AlterDatabaseSetStmt" || !Simple.TryGetValue(type, out var shape))
            return false;
        statement.Kind = shape.Kind;
        statement.ModifiesData = shape.ModifiesData;
        statement.IsQuery = type is "InsertStmt" or "MergeStmt" or "ReturnStmt" or "SetOperationStmt";
        return true;
    }

    /// <summary>
    /// Classifies a statement from its complete node body. SELECT, INSERT, UPDATE and DELETE — the hot path — are
    /// classified by <see cref="ParseTreeWalker"/> during its single pass and never come here.
    /// </summary>
    public static void Classify(string type, JsonElement body, StatementBuilder statement)
    {
        if (Simple.TryGetValue(type, out var shape))
        {
            statement.Kind = shape.Kind;
            statement.ModifiesData = shape.ModifiesData;
            statement.IsQuery = type is "InsertStmt" or "MergeStmt" or "ReturnStmt" or "SetOperationStmt";
            if (type == "AlterDatabaseSetStmt")
                statement.Setting = SettingOf(body);
            return;
        }

        switch (type)
        {
            case "CopyStmt":
                ClassifyCopy(body, statement);
                break;
            case "GrantStmt":
            case "GrantRoleStmt":
                Set(statement, TreeJson.GetBool(body, "is_grant"u8) ? StatementKinds.Grant : StatementKinds.Revoke, true);
                break;
            case "AlterDefaultPrivilegesStmt":
                // Changes the privileges of objects created later: an ALTER that carries a GRANT or REVOKE.
                Set(statement, StatementKinds.Alter, true);
                statement.CompanionNested = true;
                statement.CompanionKind = body.TryGetProperty("action"u8, out var action) && TreeJson.GetBool(action, "is_grant"u8)
                    ? StatementKinds.Grant
                    : StatementKinds.Revoke;
                break;
            case "AlterSystemStmt":
                Set(statement, StatementKinds.AlterSystem, true);
                statement.Setting = SettingOf(body);
                break;
            case "AlterRoleSetStmt":
                Set(statement, StatementKinds.Role, true);
                statement.Setting = SettingOf(body);
                break;
            case "VariableSetStmt":
                ClassifySet(body, statement);
                break;
            case "VariableShowStmt":
                Set(statement, StatementKinds.Show, false);
                statement.Setting = TreeJson.GetString(body, "name"u8)?.ToLowerInvariant();
                break;
            case "ConstraintsSetStmt":
                Set(statement, StatementKinds.Set, false);
                statement.Setting = "constraints";
                break;
            case "ExplainStmt":
                Set(statement, ExplainExecutes(body) ? StatementKinds.ExplainAnalyze : StatementKinds.Explain, false);
                break;
            case "VacuumStmt":
                Set(statement, TreeJson.GetBool(body, "is_vacuumcmd"u8) ? StatementKinds.Vacuum : StatementKinds.Analyze, false);
                break;
            case "DropStmt":
                Set(statement, StatementKinds.Drop, true);
                AddDroppedRelations(body, statement);
                break;
            case "RenameStmt":
                var renamesRole = TreeJson.GetString(body, "renameType"u8) == "OBJECT_ROLE";
                Set(statement, renamesRole ? StatementKinds.Role : StatementKinds.Alter, true);
                break;
            case "PrepareStmt":
                Named(statement, StatementKinds.Prepare, body, "name"u8);
                break;
            case "ExecuteStmt":
                Named(statement, StatementKinds.Execute, body, "name"u8);
                break;
            case "DeallocateStmt":
                Named(statement, StatementKinds.Deallocate, body, "name"u8);
                break;
            case "DiscardStmt":
                // DISCARD ALL deallocates every prepared statement; the protocol layer needs to tell it from the others.
                Set(statement, StatementKinds.Discard, false);
                statement.Name = TreeJson.GetString(body, "target"u8) switch
                {
                    "DISCARD_ALL" => "all",
                    "DISCARD_PLANS" => "plans",
                    "DISCARD_SEQUENCES" => "sequences",
                    "DISCARD_TEMP" => "temp",
                    var other => other,
                };
                break;
            case "DeclareCursorStmt":
            case "ClosePortalStmt":
                Named(statement, StatementKinds.Cursor, body, "portalname"u8);
                break;
            case "FetchStmt":
                Named(statement, StatementKinds.Fetch, body, "portalname"u8);
                break;
            case "ListenStmt":
                Named(statement, StatementKinds.Listen, body, "conditionname"u8);
                break;
            case "NotifyStmt":
                Named(statement, StatementKinds.Notify, body, "conditionname"u8);
                break;
            case "UnlistenStmt":
                Named(statement, StatementKinds.Unlisten, body, "conditionname"u8);
                break;
            default:
                // A statement type this build does not know: reported as other, and assumed to write.
                Set(statement, StatementKinds.Other, true);
                break;
        }
    }

    private static void Set(StatementBuilder statement, string kind, bool modifiesData)
    {
        statement.Kind = kind;
        statement.ModifiesData = modifiesData;
    }

    private static void Named(StatementBuilder statement, string kind, JsonElement body, ReadOnlySpan<byte> field)
    {
        Set(statement, kind, false);
        statement.Name = TreeJson.GetString(body, field);
    }

    /// <summary>
    /// COPY is reported by direction (copy_to / copy_from) and, when the server itself opens a file or runs a
    /// program, additionally as copy_file / copy_program: rules can deny the side effect without caring about
    /// the direction.
    /// </summary>
    private static void ClassifyCopy(JsonElement body, StatementBuilder statement)
    {
        var from = TreeJson.GetBool(body, "is_from"u8);
        Set(statement, from ? StatementKinds.CopyFrom : StatementKinds.CopyTo, from);
        if (TreeJson.GetBool(body, "is_program"u8))
            statement.CompanionKind = StatementKinds.CopyProgram;
        else if (TreeJson.Has(body, "filename"u8))
            statement.CompanionKind = StatementKinds.CopyFile;
        statement.CompanionNested = statement.Nested;
    }

    /// <summary>
    /// SET ROLE and SET SESSION AUTHORIZATION (and their generic spellings) change the acting role; RESET
    /// returns to the session's own. GUC names are case-insensitive, so the setting is lower-cased.
    /// </summary>
    private static void ClassifySet(JsonElement body, StatementBuilder statement)
    {
        var kind = TreeJson.GetString(body, "kind"u8);
        var name = TreeJson.GetString(body, "name"u8)?.ToLowerInvariant();
        statement.Setting = name;
        if (kind == "VAR_SET_VALUE" && name is not null && LexerSettings.Governs(name))
            LexerSettings.EnsureSafe(name, SingleValue(body));
        if (kind is "VAR_RESET" or "VAR_RESET_ALL")
            Set(statement, StatementKinds.Reset, false);
        else if (name is "role" or "session_authorization")
            Set(statement, StatementKinds.SetRole, false);
        else
            Set(statement, StatementKinds.Set, false);
    }

    private static string? SingleValue(JsonElement body)
        => body.TryGetProperty("args"u8, out var args) && args.ValueKind == JsonValueKind.Array && args.GetArrayLength() == 1
            ? TreeJson.GetConstantText(args[0])
            : null;

    /// <summary>
    /// The setting an ALTER SYSTEM / ALTER ROLE / ALTER DATABASE ... SET changes. Those become the defaults of
    /// later sessions, so the lexer settings are guarded here as for SET.
    /// </summary>
    private static string? SettingOf(JsonElement body)
    {
        if (!body.TryGetProperty("setstmt"u8, out var set))
            return null;
        var name = TreeJson.GetString(set, "name"u8)?.ToLowerInvariant();
        if (name is not null && LexerSettings.Governs(name) && TreeJson.GetString(set, "kind"u8) == "VAR_SET_VALUE")
            LexerSettings.EnsureSafe(name, SingleValue(set));
        return name;
    }

    /// <summary>
    /// EXPLAIN runs its statement when the ANALYZE option is on. PostgreSQL's defGetBoolean reads a missing value
    /// as true and accepts true/false/on/off and 0/1; anything but an explicit false counts as executing.
    /// </summary>
    private static bool ExplainExecutes(JsonElement body)
    {
        if (!body.TryGetProperty("options"u8, out var options) || options.ValueKind != JsonValueKind.Array)
            return false;
        foreach (var option in options.EnumerateArray())
        {
            if (!TreeJson.TryUnwrap(option, out var node) || !node.NameEquals("DefElem"u8))
                continue;
            var defname = TreeJson.GetString(node.Value, "defname"u8);
            if (!string.Equals(defname, "analyze", StringComparison.OrdinalIgnoreCase))
                continue;
            if (!IsExplicitFalse(node.Value))
                return true;
        }
        return false;
    }

    private static bool IsExplicitFalse(JsonElement defElem)
    {
        if (!defElem.TryGetProperty("arg"u8, out var arg) || !TreeJson.TryUnwrap(arg, out var value))
            return false;
        if (value.NameEquals("Integer"u8))
            return !value.Value.TryGetProperty("ival"u8, out var ival) || (ival.ValueKind == JsonValueKind.Number && ival.GetInt64() == 0);
        if (value.NameEquals("String"u8))
        {
            var text = TreeJson.GetString(value.Value, "sval"u8);
            return string.Equals(text, "false", StringComparison.OrdinalIgnoreCase)
                || string.Equals(text, "off", StringComparison.OrdinalIgnoreCase);
        }
        if (value.NameEquals("Boolean"u8))
            return !TreeJson.GetBool(value.Value, "boolval"u8);
        return false;
    }

    private static void AddDroppedRelations(JsonElement body, StatementBuilder statement)
    {
        var removeType = TreeJson.GetString(body, "removeType"u8);
        if (removeType is null || !DroppedRelationTypes.Contains(removeType) || !body.TryGetProperty("objects"u8, out var objects))
            return;
        foreach (var item in objects.EnumerateArray())
        {
            if (TreeJson.TryUnwrap(item, out var list) && list.NameEquals("List"u8) && list.Value.TryGetProperty("items"u8, out var items)
                && TreeJson.GetNameList(items) is { } names)
                statement.AddTable(string.Join('.', names));
        }
    }
}
