namespace Gateway.Core.Audit;

/// <summary>
/// The prepared statement a command was prepared as or runs through, for the <c>command</c> record's payload
/// (<c>statement</c>, <c>parameters</c>): the statement's name (empty for the unnamed one) and, for an execution,
/// the bound parameters as recorded (capped and redacted by the protocol).
/// </summary>
public readonly record struct StatementReference(string Name, string?[]? Parameters = null);
