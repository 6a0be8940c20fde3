# bench micro: BenchmarkDotNet (in-process, MemoryDiagnoser) over the gateway's hot-path pieces; see
# Gateway.Benchmarks/ and docs/performance.md. The GitHub-flavoured reports are joined into bench/results.
param(
    [string] $Benchmarks = '*',
    [ValidateSet('short', 'default')] [string] $Job = 'short'
)

$project = Join-Path $script:Root 'Gateway.Benchmarks/Gateway.Benchmarks.csproj'
$artifacts = Join-Path $script:Root 'artifacts/bench-micro'
Write-Step 'Building Gateway.Benchmarks (Release)'
& dotnet build $project -c Release -nologo -clp:ErrorsOnly
if ($LASTEXITCODE -ne 0) { throw 'building the benchmarks failed' }
Remove-BenchPath $artifacts

Write-Step "Running the micro-benchmarks (job: $Job, benchmarks: $Benchmarks)"
$dll = Join-Path $script:Root 'Gateway.Benchmarks/bin/Release/net10.0/Gateway.Benchmarks.dll'
# Quoted: PowerShell on Unix expands a bare * in a native argument to file names.
& dotnet $dll --job $Job --filter "$Benchmarks" --artifacts "$artifacts"
if ($LASTEXITCODE -ne 0) { throw 'the benchmarks failed' }

$reports = @(Get-ChildItem -Path (Join-Path $artifacts 'results') -Filter '*-report-github.md' -ErrorAction SilentlyContinue)
if ($reports.Count -gt 0) {
    $out = Join-Path $script:Root ("bench/results/micro-{0:yyyy-MM-dd-HHmm}.md" -f [DateTime]::UtcNow)
    $facts = Get-MachineFacts
    $header = "# bench micro, $([DateTime]::UtcNow.ToString('u')), commit $($facts.commit), $($facts.cores) cores, load $($facts.load_average -join ' ')`n"
    ($header + (($reports | ForEach-Object { Get-Content -Raw $_.FullName }) -join "`n")) | Set-Content -Path $out
    Write-Host "reports joined into $out"
}
