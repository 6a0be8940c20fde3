using Gateway.Core.Policy;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>
/// The queries behind a session's cursors, so <c>FETCH</c> and <c>MOVE</c> are judged with the tables their cursor
/// reads: <c>DECLARE c CURSOR FOR SELECT * FROM events</c> returns no rows, the <c>FETCH</c> does, and a rule on
/// <c>events</c> (a limit, a mask) must apply to those rows. SQL <c>FETCH</c> reads protocol portals bound by name too.
/// <para>
/// What a name is on the server is certain only once the server has answered the DECLARE (or Bind) without an error:
/// then the name stands for exactly that query. Until then, and after a DECLARE the server refused or skipped (a
/// cursor of that name still open, an error earlier in the batch), the name stands for every query declared under it
/// since: judging a FETCH with more statements is only ever stricter (the most restrictive decision wins).
/// </para>
/// <para>Both session loops use it (the client loop forwards, the server loop confirms): one short lock per call.</para>
/// </summary>
internal sealed class CursorQueries
{
    /// <summary>Bounds what one session can make the gateway keep (invariant 6).</summary>
    public const int MaxNames = 1024;

    /// <summary>Statements kept per cursor name while declarations are unconfirmed.</summary>
    public const int MaxStatementsPerName = 64;

    private sealed record Declaration(PendingResponse Owner, string Name, StatementInfo[] Statements);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<StatementInfo>?> _byName = new(StringComparer.Ordinal);   // null: over the bound
    private readonly List<Declaration> _journal = [];
    private bool _overflowed;

    /// <summary>
    /// Notes the cursors a command forwarded under <paramref name="owner"/> (a Query or an Execute) declares: its named
    /// <c>cursor</c> statements, with the statements nested in it. Or, for a Bind, the portal it binds
    /// (<paramref name="portal"/>; the unnamed one cannot be named in SQL): the DECLAREs in its statement run at Execute.
    /// </summary>
    public void Declared(PendingResponse owner, Command command, string? portal = null)
    {
        List<string>? names = null;
        if (portal is not null)
        {
            if (portal.Length == 0)
                return;
            names = [portal];
        }
        else
        {
            foreach (var statement in command.Statements)
            {
                if (statement is { Kind: StatementKinds.Cursor, Nested: false, Name: { } name })
                    (names ??= []).Add(name);
            }
            if (names is null)
                return;
        }

        // A DECLARE's query is nested in it; a portal runs its whole statement.
        StatementInfo[] query = portal is not null
            ? [.. command.Statements.Select(s => s with { Nested = true })]
            : [.. command.Statements.Where(s => s.Nested)];
        lock (_gate)
        {
            foreach (var name in names)
            {
                if (!_byName.TryGetValue(name, out var kept))
                {
                    if (_byName.Count >= MaxNames)
                    {
                        _overflowed = true;   // from now on a FETCH of a name not kept is denied
                        continue;
                    }
                    _byName[name] = kept = [];
                }
                if (kept is not null && kept.Count + query.Length > MaxStatementsPerName)
                    _byName[name] = kept = null;
                kept?.AddRange(query);
                _journal.Add(new Declaration(owner, name, query));
            }
        }
    }

    /// <summary>The server answered <paramref name="owner"/> without an error: each cursor it declared is exactly its query now.</summary>
    public void Confirmed(PendingResponse owner)
    {
        lock (_gate)
        {
            for (var i = 0; i < _journal.Count; i++)
            {
                if (_journal[i].Owner != owner)
                    continue;
                if (_byName.ContainsKey(_journal[i].Name))
                    _byName[_journal[i].Name] = [.. _journal[i].Statements];
                _journal.RemoveAt(i--);
            }
        }
    }

    /// <summary>The server failed or skipped <paramref name="owner"/>: its declarations stay in the names' unions.</summary>
    public void FailedOrSkipped(PendingResponse owner)
    {
        lock (_gate)
            _journal.RemoveAll(d => d.Owner == owner);
    }

    /// <summary>
    /// <paramref name="command"/> with the statements of every cursor its <c>FETCH</c>/<c>MOVE</c> statements read added
    /// as nested ones. <paramref name="unknown"/> is the first cursor the gateway cannot vouch for (the caller denies): one
    /// over <see cref="MaxStatementsPerName"/>, or, once <see cref="MaxNames"/> were kept, any name not kept. A cursor
    /// never declared here (one a function opened and returned) is judged as the FETCH alone.
    /// </summary>
    public Command Inherit(Command command, out string? unknown)
    {
        unknown = null;
        List<StatementInfo>? inherited = null;
        foreach (var statement in command.Statements)
        {
            if (statement is not { Kind: StatementKinds.Fetch, Name: { } name })
                continue;
            lock (_gate)
            {
                if (!_byName.TryGetValue(name, out var kept))
                {
                    if (_overflowed)
                        unknown ??= name;
                    continue;
                }
                if (kept is null)
                {
                    unknown ??= name;
                    continue;
                }
                inherited ??= [.. command.Statements];
                inherited.AddRange(kept);
            }
        }
        return inherited is null ? command : command with { Statements = [.. inherited] };
    }
}
