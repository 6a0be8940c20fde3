using Gateway.Core.Policy;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>What the gateway knows of one prepared-statement name on the server.</summary>
internal enum StatementState
{
    /// <summary>The server has no statement of this name.</summary>
    Absent,

    /// <summary>The server has the statement the gateway analysed.</summary>
    Known,

    /// <summary>
    /// A change to this name may or may not have happened on the server (an error made it skip the rest of a batch
    /// or query): the server's statement may not be the one the gateway analysed, so it is never bound or executed.
    /// </summary>
    Unknown,
}

/// <summary>
/// The session's prepared statements as the server has them, so Bind and <c>EXECUTE</c> are judged by the statement
/// that will run. On the server, Parse and SQL <c>PREPARE</c> share one name space (Bind binds a PREPAREd statement,
/// <c>EXECUTE</c> runs a Parsed one, <c>DEALLOCATE</c> and <c>DISCARD ALL</c> remove both), so here too.
/// <para>
/// A change is applied when its message is forwarded, because the server runs messages in order and the client may
/// bind in the same batch, and kept in a journal until the server answers that message. An error makes the server
/// skip the rest of its extended-protocol batch (or the rest of its query); the journalled changes of the messages it
/// may have skipped leave their names <see cref="StatementState.Unknown"/> instead of guessing. A Parse or PREPARE of
/// a name the server already has fails there (42P05) unless a change still in flight removed it: the name is Unknown
/// until the server answers, and becomes the new statement only if the server created it and nothing later changed it.
/// Names are compared exactly: the server folds unquoted SQL names before they reach here, and Parse names are as sent.
/// </para>
/// <para>Both session loops use it (the client loop forwards, the server loop confirms): one short lock per call.</para>
/// </summary>
internal sealed class PreparedStatements
{
    // One change the server has not answered yet. Applied = made here at once; otherwise (a Parse or PREPARE of a name
    // that exists or may exist) made only if the server confirms it. A null Name stands for every name.
    private sealed record Change(PendingResponse Owner, string? Name, PreparedStatement? Statement, bool Applied);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, PreparedStatement?> _names = new(StringComparer.Ordinal);   // null: Unknown
    private readonly List<Change> _journal = [];

    // After a DEALLOCATE ALL or DISCARD ALL the server may have skipped, a name not listed may exist there.
    private bool _unlistedUnknown;

    public StatementState Find(string name, out PreparedStatement? statement)
    {
        lock (_gate)
        {
            if (_names.TryGetValue(name, out statement))
                return statement is null ? StatementState.Unknown : StatementState.Known;
            return _unlistedUnknown ? StatementState.Unknown : StatementState.Absent;
        }
    }

    /// <summary>A Parse (or SQL PREPARE) forwarded under <paramref name="owner"/>.</summary>
    public void Create(PendingResponse owner, PreparedStatement statement)
    {
        lock (_gate)
        {
            // The unnamed statement is replaced by every Parse: the server drops the old one first. A name that exists,
            // or may, is refused by the server (42P05), so it stays as it is; unless a change to it is still in flight
            // (it may have failed there, and this one succeed): then which one holds is known only when the server
            // answers, and until then the name is Unknown.
            var exists = statement.Name.Length > 0 && (_names.ContainsKey(statement.Name) || _unlistedUnknown);
            if (!exists)
                _names[statement.Name] = statement;
            else if (InFlight(statement.Name))
                _names[statement.Name] = null;
            _journal.Add(new Change(owner, statement.Name, statement, Applied: !exists));
        }
    }

    /// <summary>A Close of a statement or a SQL DEALLOCATE forwarded under <paramref name="owner"/>; null: DEALLOCATE ALL, DISCARD ALL.</summary>
    public void Remove(PendingResponse owner, string? name)
    {
        lock (_gate)
        {
            if (name is null)
            {
                _names.Clear();
                _unlistedUnknown = false;
            }
            else
            {
                _names.Remove(name);
            }
            _journal.Add(new Change(owner, name, null, Applied: true));
        }
    }

    /// <summary>The server answered <paramref name="owner"/> without an error: its changes happened.</summary>
    public void Confirmed(PendingResponse owner)
    {
        lock (_gate)
        {
            for (var i = 0; i < _journal.Count; i++)
            {
                if (_journal[i].Owner != owner)
                    continue;
                // The server created it; a later change in flight to the same name decides when it is answered.
                if (_journal[i] is { Applied: false, Statement: { } created } && !ChangedLater(i, created.Name))
                    _names[created.Name] = created;
                _journal.RemoveAt(i--);
            }
        }
    }

    private bool InFlight(string name) => _journal.Exists(change => change.Name is null || change.Name == name);

    private bool ChangedLater(int index, string name)
    {
        for (var later = index + 1; later < _journal.Count; later++)
        {
            if (_journal[later].Name is null || _journal[later].Name == name)
                return true;
        }
        return false;
    }

    /// <summary>
    /// The server failed or skipped <paramref name="owner"/>: what its changes would have done is not known, so their
    /// names become <see cref="StatementState.Unknown"/> (a change not applied here leaves the name as it was).
    /// </summary>
    public void FailedOrSkipped(PendingResponse owner)
    {
        lock (_gate)
        {
            for (var i = 0; i < _journal.Count; i++)
            {
                var change = _journal[i];
                if (change.Owner != owner)
                    continue;
                _journal.RemoveAt(i--);
                if (!change.Applied)
                    continue;
                if (change.Name is { } name)
                {
                    _names[name] = null;
                }
                else
                {
                    foreach (var listed in _names.Keys)
                        _names[listed] = null;
                    _unlistedUnknown = true;
                }
            }
        }
    }

    /// <summary>The statements of a command's <c>EXECUTE name</c>s, as <see cref="SqlPreparedCommands.Inherit"/> needs them.</summary>
    public Command? CommandOf(string name) =>
        Find(name, out var statement) == StatementState.Known ? statement!.Analysis : null;

    /// <summary>
    /// The first <c>EXECUTE</c> of <paramref name="command"/> whose statement is not <see cref="StatementState.Known"/>: an
    /// absent one too, because only a name space the gateway followed wrongly would let it run. A name PREPAREd earlier
    /// in the same command is judged with it already (its statements are part of the command).
    /// </summary>
    public string? FirstUnknownExecute(Command command)
    {
        List<string>? preparedHere = null;
        foreach (var statement in command.Statements)
        {
            if (statement is { Kind: StatementKinds.Prepare, Nested: false, Name: { } prepared })
                (preparedHere ??= []).Add(prepared);
            else if (statement.Kind == StatementKinds.Execute && statement.Name is { } name && preparedHere?.Contains(name) != true
                     && Find(name, out _) != StatementState.Known)
                return name;
        }
        return null;
    }

    /// <summary>Journals the PREPAREs, DEALLOCATEs and DISCARD ALLs of a query forwarded under <paramref name="owner"/>.</summary>
    public void Apply(PendingResponse owner, Command command, string text)
    {
        foreach (var statement in command.Statements)
        {
            if (statement.Nested)
                continue;
            if (statement.Kind == StatementKinds.Prepare && statement.Name is { } prepared)
                Create(owner, new PreparedStatement(prepared, text, command));
            else if (statement.Kind == StatementKinds.Deallocate)
                Remove(owner, statement.Name);
            else if (statement.Kind == StatementKinds.Discard && statement.Name == "all")
                Remove(owner, null);
        }
    }
}
