namespace Gateway.Core.Masking;

/// <summary>
/// How results of one command are masked: column globs with a strategy, plus content detectors run on
/// every text value. Built by the rule engine from the matching <c>mask</c> rule(s); applied by each
/// protocol's result path (PostgreSQL DataRow / CopyData, MySQL rows, Kubernetes JSON).
/// </summary>
public sealed partial class MaskingPlan
{
}
