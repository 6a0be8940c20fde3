using System.Diagnostics;
using System.Text.Json.Nodes;
using Gateway.Tests.Postgres.EndToEnd;

namespace Gateway.Tests.Bench;

/// <summary>
/// Keeps <c>build.ps1 bench pg</c> working: the real script (throwaway PostgreSQL, pgbouncer, the gateway built
/// with this test run, pgbench) with one round of one second per workload and scale 1. It checks that every
/// target answered every workload and that the results file and table are written — never how fast: timing is
/// for the benchmark itself (docs/performance.md), not for the test suite.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class BenchPgSmokeTests
{
    private static readonly string[] Workloads = ["select-simple", "select-prepared", "tpcb-like", "select-connect"];

    [Test]
    public async Task BenchPgRunsEveryWorkloadAgainstEveryTarget()
    {
        var output = Path.Combine(Path.GetTempPath(), "gateway-bench-smoke-" + Guid.NewGuid().ToString("n")[..8] + ".json");
        try
        {
            var run = await RunBenchAsync("pg", "-Gateway", GatewayExecutable(), "-Seconds", "1", "-Rounds", "1", "-Scale", "1",
                "-WarmupSeconds", "0", "-Output", output);

            Assert.That(run.ExitCode, Is.Zero, run.Output);
            Assert.That(run.Output, Does.Contain("| workload | direct tps | pgbouncer tps | gateway tps |"));
            Assert.That(run.Output, Does.Contain("| CPU/tx pgbouncer | CPU/tx gateway |"));
            var result = JsonNode.Parse(await File.ReadAllTextAsync(output))!.AsObject();
            AssertEveryTargetAnsweredEveryWorkload(result);
            Assert.That(result["settings"]!["pinned"], Is.Null);
            var tls = result["tls_runs"]!.AsArray();
            Assert.That(tls.Select(r => $"{r!["workload"]}/{r!["target"]}"),
                Is.EquivalentTo(Workloads.SelectMany(w => new[] { $"{w}/pgbouncer", $"{w}/gateway" })));
            Assert.That(result["summary"]!.AsArray().Select(s => (string)s!["workload"]!), Is.EqualTo(Workloads));
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Test]
    public async Task BenchPgPinsTheProxiesAwayFromPostgresAndPgbenchAndMeasuresTheFloor()
    {
        var output = Path.Combine(Path.GetTempPath(), "gateway-bench-smoke-" + Guid.NewGuid().ToString("n")[..8] + ".json");
        try
        {
            var run = await RunBenchAsync("pg", "-Gateway", GatewayExecutable(), "-Seconds", "1", "-Rounds", "1", "-Scale", "1",
                "-WarmupSeconds", "0", "-SkipTls", "-PinCores", "-Floor", "-Output", output);

            // Every taskset call is checked by the script, so a clean exit means every process was pinned.
            Assert.That(run.ExitCode, Is.Zero, run.Output);
            Assert.That(run.Output, Does.Contain("pinned: PostgreSQL and pgbench on CPUs "));
            var result = JsonNode.Parse(await File.ReadAllTextAsync(output))!.AsObject();
            AssertEveryTargetAnsweredEveryWorkload(result, "floor");
            Assert.That(run.Output, Does.Contain("| workload | floor tps | floor / pgbouncer | gateway / floor |"));
            Assert.That(result["summary"]!.AsArray().Select(s => (double)s!["gateway_vs_floor"]!), Has.All.GreaterThan(0));
            var pinned = result["settings"]!["pinned"]!;
            var database = CpuList((string)pinned["postgres_and_pgbench"]!);
            var proxies = CpuList((string)pinned["proxies"]!);
            Assert.That(database.Intersect(proxies), Is.Empty);
            Assert.That(database.Concat(proxies).Order(), Is.EqualTo(AllowedCpus()));
            Assert.That(database.Count(), Is.GreaterThanOrEqualTo(proxies.Count()), "the database side gets the larger half");
            Assert.That(result["tls_runs"]!.AsArray(), Is.Empty);
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static void AssertEveryTargetAnsweredEveryWorkload(JsonObject result, params string[] moreTargets)
    {
        var runs = result["runs"]!.AsArray();
        foreach (var workload in Workloads)
        {
            foreach (var target in new[] { "direct", "pgbouncer", "gateway" }.Concat(moreTargets))
            {
                var measured = runs.Single(r => (string)r!["workload"]! == workload && (string)r!["target"]! == target);
                Assert.That((double)measured!["tps"]!, Is.GreaterThan(0), $"{target} answered {workload}");
                // The proxies' CPU per transaction is read from /proc; direct has no single process to read.
                if (target == "direct")
                    Assert.That(measured["cpu_us_per_tx"], Is.Null);
                else
                    Assert.That((double)measured["cpu_us_per_tx"]!, Is.GreaterThanOrEqualTo(0), $"{target} CPU per transaction for {workload}");
            }
        }
    }

    /// <summary>A taskset CPU list of the form the script writes: <c>3</c> or <c>0,1</c>.</summary>
    private static IEnumerable<int> CpuList(string list) => list.Split(',').Select(int.Parse);

    /// <summary>The CPUs this test process may run on, as the kernel reports them (ranges expanded).</summary>
    private static IEnumerable<int> AllowedCpus()
    {
        var line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        foreach (var part in line["Cpus_allowed_list:".Length..].Trim().Split(','))
        {
            var bounds = part.Split('-').Select(int.Parse).ToArray();
            for (var cpu = bounds[0]; cpu <= bounds[^1]; cpu++)
                yield return cpu;
        }
    }

    /// <summary>The gateway executable built alongside this test assembly (same configuration).</summary>
    private static string GatewayExecutable()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;   // .../bin/<Configuration>/net10.0/
        var path = Path.Combine(RepoPaths.Root, "Gateway.Host", "bin", configuration, "net10.0", "gateway");
        Assert.That(File.Exists(path), Is.True, $"the gateway executable is built with the tests: {path}");
        return path;
    }

    private static async Task<ProcessResult> RunBenchAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "pwsh", "-NoProfile", "-File", Path.Combine(RepoPaths.Root, "bench", "run-bench.ps1") }.Concat(arguments))
            info.ArgumentList.Add(argument);
        info.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("bench pg (smoke) did not finish in 5 minutes");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
