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
}
