namespace Gateway.Benchmarks;

/// <summary>Statements as agents and pgbench send them.</summary>
public enum StatementShape
{
    /// <summary>pgbench -S.</summary>
    PointSelect,
    /// <summary>The first UPDATE of pgbench's tpcb-like script.</summary>
    PointUpdate,
    /// <summary>An agent's typical reporting query: join, filter, order, limit.</summary>
    JoinReport,
}

internal static class Statements
{
    public static string Text(StatementShape shape, int variant = 48213) => shape switch
    {
        StatementShape.PointSelect => $"SELECT abalance FROM pgbench_accounts WHERE aid = {variant};",
        StatementShape.PointUpdate => $"UPDATE pgbench_accounts SET abalance = abalance + -4163 WHERE aid = {variant};",
        StatementShape.JoinReport => "SELECT o.id, o.total, c.name, c.email FROM orders o JOIN customers c ON c.id = o.customer_id "
            + $"WHERE o.created_at > now() - interval '1 day' AND o.status = 'open' AND o.id > {variant} ORDER BY o.id DESC LIMIT 50",
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    /// <summary>
    /// A statement of a shape never seen before: the text with a column alias spelled in letters from
    /// <paramref name="variant"/> (digits would not make a new shape hint).
    /// </summary>
    public static string NewShape(StatementShape shape, int variant)
    {
        Span<char> letters = stackalloc char[8];
        var length = 0;
        for (var rest = (uint)variant; length == 0 || rest > 0; rest /= 26)
            letters[length++] = (char)('a' + (int)(rest % 26));
        var text = Text(shape);
        var from = text.IndexOf(" FROM ", StringComparison.Ordinal);
        return shape == StatementShape.PointUpdate
            ? string.Concat(text.TrimEnd(';'), " RETURNING aid AS ", letters[..length])
            : string.Concat(text.AsSpan(0, from), " AS ", letters[..length], text.AsSpan(from));
    }
}
