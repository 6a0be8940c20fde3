using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Gateway.Core.Policy;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// Walks libpg_query's JSON parse tree in one forward pass, visiting every object and array whatever field holds
/// it, so an expression nested anywhere (sub-selects in function arguments, CASE, VALUES, ON CONFLICT, RETURNING,
/// window clauses, lateral joins, column defaults, index expressions) is reached without listing fields. Statement
/// nodes open a <see cref="StatementBuilder"/>; function calls and relations go to the innermost one.
/// </summary>
/// <remarks>
/// <para>Tree shape: a node in a generic field is wrapped as <c>{"TypeName": {fields}}</c> (type names start
/// upper-case, field names lower-case); a field of a concrete struct type holds the fields unwrapped (a
/// <c>relation</c> RangeVar, CallStmt's <c>funccall</c>). RangeVar is the only node with a <c>relname</c>, so
/// relations are recognised by that field whether wrapped or not.</para>
/// <para>A SELECT inside a query (a sub-select, a set-operation branch, a read-only CTE, INSERT ... SELECT)
/// belongs to that query. Every other statement node inside a statement is a nested statement: a data-modifying
/// CTE, the target of EXPLAIN, the body of PREPARE, CREATE TABLE AS, CREATE VIEW and CREATE RULE, the query of
/// DECLARE CURSOR and COPY (...) TO, the statements of a SQL-standard function body.</para>
/// <para>The walk keeps an explicit frame stack rather than recursing, so nesting depth is bounded only by the
/// parser. Utility statements are classified from their own JSON slice once complete (they are rare and
/// small); queries, the hot path, are classified from facts gathered during the pass.</para>
/// </remarks>
internal sealed partial class ParseTreeWalker : IDisposable
{
    /// <summary>How many levels of SQL-in-a-string-literal (query_to_xml('...')) are followed before refusing.</summary>
    private const int MaxNestedSqlDepth = 4;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 1 << 24 };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 1 << 24 };

    private enum NodeKind : byte
    {
        Plain,
        Select,
        Update,
        Delete,
        FunctionCall,
        Trigger,
        Indirection,
        StringNode,
    }

    private enum Field : byte
    {
        None,
        Other,
        Relname,
        Schemaname,
        Catalogname,
        Sval,
        Funcname,
        Funccall,
        WhereClause,
        IntoClause,
        Indirection,
        Version,
    }

    /// <summary>The parse-tree format this walker reads: PostgreSQL 15 (libpg_query 15-4.x reports 1500xx).</summary>
    private const int SupportedVersionMajor = 1500;

    private enum Sink : byte
    {
        None,
        OwnerNames,
        Functions,
    }

    private struct Frame
    {
        public bool IsArray;
        public NodeKind Kind;
        public bool OpensStatement;
        public bool CapturesText;
        public Sink Sink;
        public int Owner;
        public int Start;
        public StatementBuilder? Statement;
        public StatementBuilder? WhereOf;
        public string? DeferredType;
        public List<string>? Names;
        public string? Text;
        public string? Relname;
        public string? Schemaname;
        public string? Catalogname;
    }

    private readonly List<StatementBuilder> statements;
    private readonly int maxTextBytes;
    private readonly int nestedSqlDepth;
    private Frame[] frames = ArrayPool<Frame>.Shared.Rent(64);
    private int count;

    /// <summary>
    /// True once a fact was read from a constant's value (a SET value, SQL in a literal, an EXPLAIN option given as
    /// a string). Every such read parses a node into a <see cref="JsonDocument"/>; the one-pass reader sees only
    /// node types, field names, relation names and the names in function-name and field-selection lists, which
    /// come from identifiers and keywords.
    /// </summary>
    public bool ReadConstants { get; private set; }

    public ParseTreeWalker(int maxTextBytes)
        : this(maxTextBytes, [], nestedSqlDepth: 0)
    {
    }

    /// <summary>A walker for SQL nested in a literal: its own frame stack, the outer walker's statement list.</summary>
    private ParseTreeWalker(int maxTextBytes, List<StatementBuilder> statements, int nestedSqlDepth)
    {
        this.maxTextBytes = maxTextBytes;
        this.statements = statements;
        this.nestedSqlDepth = nestedSqlDepth;
    }

    /// <summary>Walks the <c>stmts</c> of one parse tree; <paramref name="parent"/> is set for SQL nested in a literal.</summary>
    public void Walk(ReadOnlyMemory<byte> json, StatementBuilder? parent)
    {
        Push(isArray: false, start: 0).Statement = parent;
        Read(json, rootCount: 1);
    }

    public void Dispose()
    {
        ArrayPool<Frame>.Shared.Return(frames, clearArray: true);
        frames = [];
    }

    /// <summary>
    /// Whether the facts hold for every text of this one's <see cref="SqlShape"/>: no constant's value was read, and
    /// every statement is a query (SELECT, INSERT, UPDATE, DELETE). Utility statements are left out because their
    /// grammar rules are where constants are read or checked (option values, column numbers, intervals), they are
    /// rare, and a repeated one is served by its text.
    /// </summary>
    public bool HoldsForShape => !ReadConstants && statements.TrueForAll(statement => statement.IsQuery);

    public ImmutableArray<StatementInfo> ToStatements()
    {
        var output = ImmutableArray.CreateBuilder<StatementInfo>(statements.Count);
        foreach (var statement in statements)
            statement.AppendTo(output);
        return output.DrainToImmutable();
    }

    private void Read(ReadOnlyMemory<byte> json, int rootCount)
    {
        var reader = new Utf8JsonReader(json.Span, ReaderOptions);
        var field = Field.None;
        var nodeType = ReadOnlySpan<byte>.Empty;
        var sawVersion = false;

        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                {
                    var name = reader.ValueSpan;
                    if (name.Length > 0 && name[0] is >= (byte)'A' and <= (byte)'Z')
                    {
                        nodeType = name;
                        field = Field.None;
                        if (frames[count - 1].WhereOf is { } filtered && (name.SequenceEqual("ColumnRef"u8) || name.SequenceEqual("CurrentOfExpr"u8)))
                            filtered.WhereNamesColumn = true;
                    }
                    else
                    {
                        nodeType = default;
                        field = Identify(name);
                        if (field == Field.IntoClause && frames[count - 1].Kind == NodeKind.Select)
                            frames[count - 1].Statement!.SelectsInto = true;
                    }
                    break;
                }

                case JsonTokenType.StartObject:
                {
                    var parent = count - 1;
                    ref var frame = ref Push(isArray: false, (int)reader.TokenStartIndex);
                    if (!nodeType.IsEmpty)
                        EnterNode(ref frame, parent, nodeType);
                    else if (field == Field.Funccall)
                        EnterNode(ref frame, parent, "FuncCall"u8);
                    else if (field == Field.WhereClause && frames[parent].OpensStatement && frames[parent].Kind is NodeKind.Update or NodeKind.Delete)
                    {
                        frame.WhereOf = frames[parent].Statement;
                        frame.WhereOf!.SawWhere = true;
                    }
                    nodeType = default;
                    field = Field.None;
                    break;
                }

                case JsonTokenType.StartArray:
                {
                    var parent = count - 1;
                    ref var frame = ref Push(isArray: true, (int)reader.TokenStartIndex);
                    var parentKind = frames[parent].Kind;
                    if (field == Field.Funcname && parentKind is NodeKind.FunctionCall or NodeKind.Trigger)
                    {
                        frame.Sink = Sink.OwnerNames;
                        frame.Owner = parent;
                    }
                    else if (field == Field.Indirection && parentKind == NodeKind.Indirection)
                    {
                        frame.Sink = Sink.Functions;
                    }
                    nodeType = default;
                    field = Field.None;
                    break;
                }

                case JsonTokenType.String:
                {
                    ref var top = ref frames[count - 1];
                    switch (field)
                    {
                        case Field.Sval when top.CapturesText:
                            top.Text = reader.GetString();
                            break;
                        case Field.Relname:
                            top.Relname = reader.GetString();
                            break;
                        case Field.Schemaname:
                            top.Schemaname = reader.GetString();
                            break;
                        case Field.Catalogname:
                            top.Catalogname = reader.GetString();
                            break;
                    }
                    field = Field.None;
                    break;
                }

                case JsonTokenType.Number when field == Field.Version && count == rootCount + 1:
                    // A different libpg_query major version writes a different tree; reading it by PostgreSQL 15's
                    // rules could miss statements, so it is refused rather than guessed at.
                    if (!reader.TryGetInt32(out var version) || version / 100 != SupportedVersionMajor)
                        throw new AnalysisRefusedException($"unsupported libpg_query parse tree version {reader.GetDouble()}");
                    sawVersion = true;
                    field = Field.None;
                    break;

                case JsonTokenType.EndObject:
                    if (count <= rootCount)
                        throw new AnalysisRefusedException("the SQL parser returned an unexpected parse tree");
                    LeaveObject(json, (int)reader.BytesConsumed);
                    field = Field.None;
                    break;

                case JsonTokenType.EndArray:
                    if (count <= rootCount)
                        throw new AnalysisRefusedException("the SQL parser returned an unexpected parse tree");
                    frames[--count] = default;
                    field = Field.None;
                    break;

                default:
                    field = Field.None;
                    break;
            }
        }

        if (!sawVersion)
            throw new AnalysisRefusedException("the SQL parser returned a parse tree without a version");
    }

    private ref Frame Push(bool isArray, int start)
    {
        if (count == frames.Length)
        {
            var larger = ArrayPool<Frame>.Shared.Rent(frames.Length * 2);
            frames.AsSpan(0, count).CopyTo(larger);
            ArrayPool<Frame>.Shared.Return(frames, clearArray: true);
            frames = larger;
        }
        ref var frame = ref frames[count];
        frame = default;
        frame.IsArray = isArray;
        frame.Start = start;
        if (count > 0)
        {
            ref var parent = ref frames[count - 1];
            frame.Statement = parent.Statement;
            frame.WhereOf = parent.WhereOf;
        }
        count++;
        return ref frame;
    }

    /// <summary>A node body begins: open a statement, or note the node kinds the walk collects facts from.</summary>
    private void EnterNode(ref Frame frame, int parent, ReadOnlySpan<byte> type)
    {
        if (type.EndsWith("Stmt"u8))
        {
            var isSelect = type.SequenceEqual("SelectStmt"u8);
            if (isSelect && frame.Statement is { IsQuery: true })
            {
                frame.Kind = NodeKind.Select;
                return;
            }

            var statement = new StatementBuilder(nested: frame.Statement is not null);
            statements.Add(statement);
            frame.Statement = statement;
            frame.WhereOf = null;
            frame.OpensStatement = true;
            if (isSelect)
            {
                frame.Kind = NodeKind.Select;
                statement.IsQuery = true;
                statement.Kind = StatementKinds.Select;
                statement.ModifiesData = false;
            }
            else if (type.SequenceEqual("UpdateStmt"u8) || type.SequenceEqual("DeleteStmt"u8))
            {
                var update = type[0] == (byte)'U';
                frame.Kind = update ? NodeKind.Update : NodeKind.Delete;
                statement.IsQuery = true;
                statement.Kind = update ? StatementKinds.Update : StatementKinds.Delete;
                statement.ModifiesData = true;
            }
            else if (type.SequenceEqual("InsertStmt"u8))
            {
                statement.IsQuery = true;
                statement.Kind = StatementKinds.Insert;
                statement.ModifiesData = true;
            }
            else
            {
                var name = Encoding.UTF8.GetString(type);
                if (name is "CreateTrigStmt" or "CreateEventTrigStmt")
                    frame.Kind = NodeKind.Trigger;
                if (!StatementClassifier.TryClassifyByType(name, statement))
                    frame.DeferredType = name;
            }
            return;
        }

        if (frame.Statement is null)
            throw new AnalysisRefusedException("the SQL parser returned an expression outside any statement");

        if (type.SequenceEqual("FuncCall"u8))
            frame.Kind = NodeKind.FunctionCall;
        else if (type.SequenceEqual("A_Indirection"u8))
            frame.Kind = NodeKind.Indirection;
        else if (type.SequenceEqual("String"u8) && parent >= 1 && frames[parent - 1] is { IsArray: true, Sink: not Sink.None })
        {
            frame.Kind = NodeKind.StringNode;
            frame.CapturesText = true;
        }
    }

    /// <summary>An object ends: report what it held to its statement.</summary>
    private void LeaveObject(ReadOnlyMemory<byte> json, int end)
    {
        ref var frame = ref frames[count - 1];
        var statement = frame.Statement;

        if (frame.Relname is not null)
        {
            if (statement is null)
                throw new AnalysisRefusedException("the SQL parser returned a relation outside any statement");
            statement.AddTable(RelationName(frame.Relname, frame.Schemaname, frame.Catalogname));
        }

        switch (frame.Kind)
        {
            case NodeKind.StringNode:
                DeliverString(ref frame);
                break;
            case NodeKind.FunctionCall:
                LeaveFunctionCall(ref frame, json[frame.Start..end]);
                break;
        }

        if (frame.OpensStatement)
        {
            ReadConstants |= frame.DeferredType is not null;
            LeaveStatement(ref frame, json[frame.Start..end]);
        }

        frame = default;
        count--;
    }

    /// <summary>A String inside a collected list: a part of a function name, or a field selection.</summary>
    private void DeliverString(ref Frame frame)
    {
        // Layout: list array, wrapper object {"String": ...}, this body.
        ref var list = ref frames[count - 3];
        var text = frame.Text ?? "";
        if (list.Sink == Sink.OwnerNames)
            (frames[list.Owner].Names ??= []).Add(text);
        else if (list.Sink == Sink.Functions)
            frame.Statement!.AddFunction(text.ToLowerInvariant());
    }

    /// <summary>A statement ends: classify what needed its whole node, and settle the facts gathered on the way.</summary>
    private static void LeaveStatement(ref Frame frame, ReadOnlyMemory<byte> body)
    {
        var statement = frame.Statement!;
        if (frame.DeferredType is not null)
        {
            using var document = JsonDocument.Parse(body, DocumentOptions);
            StatementClassifier.Classify(frame.DeferredType, document.RootElement, statement);
        }

        switch (frame.Kind)
        {
            case NodeKind.Select when statement.SelectsInto:
                // SELECT ... INTO creates a table; FOR UPDATE only locks rows and stays a read.
                statement.Kind = StatementKinds.Create;
                statement.ModifiesData = true;
                break;
            case NodeKind.Update:
                LexerSettings.EnsureNotSettingsUpdate(statement.Tables);
                goto case NodeKind.Delete;
            case NodeKind.Delete:
                // A WHERE naming no column (WHERE true, WHERE 1 = 1) keeps every row or none: no filter.
                statement.HasWhere = statement.SawWhere && statement.WhereNamesColumn;
                break;
            case NodeKind.Trigger when frame.Names is { Count: > 0 } names:
                // A trigger names the function it will call on every row change.
                AddFunction(names, statement);
                break;
        }
    }

    private static Field Identify(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when name.SequenceEqual("sval"u8) => Field.Sval,
        7 when name.SequenceEqual("relname"u8) => Field.Relname,
        7 when name.SequenceEqual("version"u8) => Field.Version,
        8 when name.SequenceEqual("funcname"u8) => Field.Funcname,
        8 when name.SequenceEqual("funccall"u8) => Field.Funccall,
        10 when name.SequenceEqual("schemaname"u8) => Field.Schemaname,
        10 when name.SequenceEqual("intoClause"u8) => Field.IntoClause,
        11 when name.SequenceEqual("catalogname"u8) => Field.Catalogname,
        11 when name.SequenceEqual("whereClause"u8) => Field.WhereClause,
        11 when name.SequenceEqual("indirection"u8) => Field.Indirection,
        _ => Field.Other,
    };

    /// <summary>catalog.schema.relation as written; the parser has already folded unquoted names to lower case.</summary>
    private static string RelationName(string relation, string? schema, string? catalog)
    {
        if (schema is null)
            return relation;
        return catalog is null ? $"{schema}.{relation}" : $"{catalog}.{schema}.{relation}";
    }
}
