using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Gateway.Benchmarks;

// Usage: Gateway.Benchmarks [--job short|default] [BenchmarkDotNet arguments, e.g. --filter *Masking*]
// In-process toolchain: no generated project to build, and the benchmarks run against exactly this build.
var job = args.SkipWhile(a => a != "--job").Skip(1).FirstOrDefault() ?? "short";
var rest = RemoveJobArgument(args);
var baseJob = job == "default" ? Job.Default : Job.ShortRun;
var config = DefaultConfig.Instance
    .AddJob(baseJob.WithToolchain(InProcessEmitToolchain.Instance))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(new ThroughputColumn())
    .AddColumn(StatisticColumn.Median)
    .WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.JoinSummary);
BenchmarkSwitcher.FromAssembly(typeof(ThroughputColumn).Assembly).Run(rest, config);
return 0;

static string[] RemoveJobArgument(string[] args)
{
    var list = new List<string>(args);
    var at = list.IndexOf("--job");
    if (at >= 0)
        list.RemoveRange(at, Math.Min(2, list.Count - at));
    return [.. list];
}
