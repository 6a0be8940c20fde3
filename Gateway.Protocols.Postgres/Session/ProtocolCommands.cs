using System.Globalization;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>
/// The commands the session builds for protocol requests that carry no SQL — a FunctionCall message and a
/// replication connection — and the reverse: rebuilding them from the text they are recorded with, so the backtest
/// judges a recorded request exactly as the session judged it.
/// </summary>
public static class ProtocolCommands
{
    private const string Protocol = SqlAnalyzer.Protocol;
    private const string FunctionCallPrefix = "FunctionCall(oid ";
    private const string ReplicationPrefix = "replication=";

    public static Command FunctionCall(uint functionOid) => new()
    {
        Protocol = Protocol,
        Origin = CommandOrigin.FunctionCall,
        Text = FunctionCallPrefix + functionOid.ToString(CultureInfo.InvariantCulture) + ")",
        Statements = [new StatementInfo { Kind = StatementKinds.FunctionCallMessage, Functions = [$"oid:{functionOid.ToString(CultureInfo.InvariantCulture)}"] }],
    };

    /// <param name="value">The startup parameter <c>replication</c> as the client sent it (true, database, ...).</param>
    public static Command Replication(string value) => new()
    {
        Protocol = Protocol,
        Origin = CommandOrigin.Replication,
        Text = ReplicationPrefix + value,
        Statements = [new StatementInfo { Kind = StatementKinds.Replication }],
    };

    /// <summary>Rebuilds a FunctionCall command from its recorded text (<c>FunctionCall(oid N)</c>).</summary>
    public static bool TryParseFunctionCall(string text, out Command command)
    {
        command = null!;
        if (!text.StartsWith(FunctionCallPrefix, StringComparison.Ordinal) || !text.EndsWith(')'))
            return false;
        var digits = text.AsSpan(FunctionCallPrefix.Length, text.Length - FunctionCallPrefix.Length - 1);
        if (!uint.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var oid))
            return false;
        command = FunctionCall(oid);
        return true;
    }

    /// <summary>Rebuilds a replication request from its recorded text (<c>replication=VALUE</c>).</summary>
    public static bool TryParseReplication(string text, out Command command)
    {
        command = null!;
        if (!text.StartsWith(ReplicationPrefix, StringComparison.Ordinal))
            return false;
        command = Replication(text[ReplicationPrefix.Length..]);
        return true;
    }
}
