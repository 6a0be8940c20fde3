using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Gateway.Benchmarks;

/// <summary>
/// Marks a benchmark whose operation moves a known number of bytes (framing, masking): the summary then shows
/// MB/s next to the time per operation.
/// </summary>
public interface IBytesPerOperation
{
    /// <summary>Bytes one operation processes; the same in every process (it is computed from fixed inputs).</summary>
    static abstract long BytesPerOperation(string benchmark);
}

/// <summary>The <c>MB/s</c> column: bytes per operation (from <see cref="IBytesPerOperation"/>) over the mean time.</summary>
public sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);
    public string ColumnName => "MB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Megabytes (10^6) processed per second at the mean time per operation";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var type = benchmarkCase.Descriptor.Type;
        var method = type.GetMethod(nameof(IBytesPerOperation.BytesPerOperation),
            System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static);
        var report = summary[benchmarkCase];
        if (method is null || report?.ResultStatistics is not { } stats)
            return "-";
        var bytes = (long)method.Invoke(null, [benchmarkCase.Descriptor.WorkloadMethod.Name])!;
        if (bytes <= 0)
            return "-";
        // Mean is per invocation; with OperationsPerInvoke BenchmarkDotNet already divides it per operation.
        var seconds = stats.Mean / 1e9;
        return (bytes / seconds / 1e6).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
