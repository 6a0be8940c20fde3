#!/usr/bin/env pwsh
# Build tasks for the gateway. Run as: dotnet tool restore; dotnet pwsh ./build.ps1 <task>
#   deps     install what the tests and the demo need (apt on Debian/Ubuntu as root; otherwise say what is missing)
#   build    compile the solution (Release)
#   test     deps + build + every test; the last line is "N passed, N failed[, N skipped]"
#   publish  a runnable artifacts/bin/gateway
#   demo     a throwaway PostgreSQL, the gateway and a scripted agent session (-Once exits afterwards)
#   bench    benchmarks: pg | micro | memory (see docs/performance.md)
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('deps', 'build', 'test', 'publish', 'demo', 'bench', 'help')]
    [string] $Task = 'help',

    [Parameter(Position = 1, ValueFromRemainingArguments = $true)]
    [string[]] $Rest = @(),

    [switch] $Once,
    [string] $Filter = ''
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$Artifacts = Join-Path $Root 'artifacts'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

# Debian package => a file that proves it is installed (checked before asking apt).
$DebianPackages = [ordered]@{
    'postgresql'        = '/usr/lib/postgresql/15/bin/postgres'
    'postgresql-client' = '/usr/bin/psql'
    'mariadb-server'    = '/usr/sbin/mariadbd'
    'mariadb-client'    = '/usr/bin/mariadb'
    'libpg-query-dev'   = '/usr/lib/x86_64-linux-gnu/libpg_query.so'
    'pgbouncer'         = '/usr/sbin/pgbouncer'
    'sysbench'          = '/usr/bin/sysbench'
}

function Invoke-Native([string] $File, [string[]] $Arguments) {
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') exited with $LASTEXITCODE" }
}

function Invoke-Deps {
    $missing = @($DebianPackages.Keys | Where-Object {
        -not (Test-Path $DebianPackages[$_]) -and -not (Test-DebianPackage $_)
    })
    if ($missing.Count -eq 0) { Write-Host 'deps: everything is installed'; return }

    $isRoot = (& id -u) -eq '0'
    if ($isRoot -and (Get-Command apt-get -ErrorAction SilentlyContinue)) {
        Write-Host "deps: installing $($missing -join ', ')"
        $env:DEBIAN_FRONTEND = 'noninteractive'
        Invoke-Native apt-get @('update', '-qq')
        Invoke-Native apt-get @('install', '-y', '-qq', '--no-install-recommends', '-o', 'Dpkg::Use-Pty=0') + $missing
        return
    }
    Write-Host "deps: missing $($missing -join ', ')"
    Write-Host "  on Debian/Ubuntu: sudo apt-get install -y $($missing -join ' ')"
    Write-Host '  elsewhere: install PostgreSQL 15 (server+client), MariaDB, libpg_query 15, pgbouncer and sysbench from your package manager'
    throw 'deps: missing packages'
}

function Test-DebianPackage([string] $Name) {
    if (-not (Get-Command dpkg-query -ErrorAction SilentlyContinue)) { return $false }
    $status = & dpkg-query -W -f '${Status}' $Name 2>$null
    return $LASTEXITCODE -eq 0 -and "$status" -like '*install ok installed*'
}

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $Root 'gateway.sln'), '-c', 'Release', '-nologo', '-clp:ErrorsOnly;Summary')
}

function Invoke-Test {
    Invoke-Deps
    Invoke-Build
    $results = Join-Path $Artifacts 'test-results'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    $arguments = @('test', (Join-Path $Root 'gateway.sln'), '-c', 'Release', '--no-build', '-nologo',
        '--results-directory', $results, '--logger', 'trx;LogFileName=tests.trx', '--logger', 'console;verbosity=normal',
        '--blame-hang-timeout', '10m')
    if ($Filter) { $arguments += @('--filter', $Filter) }
    & dotnet @arguments
    $testExit = $LASTEXITCODE

    $passed = 0; $failed = 0; $skipped = 0; $total = 0
    foreach ($trx in Get-ChildItem -Path $results -Filter '*.trx' -Recurse -ErrorAction SilentlyContinue) {
        [xml] $doc = Get-Content -Raw $trx.FullName
        $counters = $doc.TestRun.ResultSummary.Counters
        $total += [int] $counters.total
        $passed += [int] $counters.passed
        $failed += [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
        $skipped += [int] $counters.notExecuted
    }
    if ($testExit -ne 0 -and $failed -eq 0) { $failed = 1 }   # the runner failed without a result (crash, hang)
    $summary = "$passed passed, $failed failed"
    if ($skipped -gt 0) { $summary += ", $skipped skipped" }
    Write-Host $summary
    if ($failed -gt 0 -or $total -eq 0) { exit 1 }
}

function Invoke-Publish {
    $bin = Join-Path $Artifacts 'bin'
    Invoke-Native dotnet @('publish', (Join-Path $Root 'Gateway.Host/Gateway.Host.csproj'), '-c', 'Release', '-o', $bin, '-nologo', '-clp:ErrorsOnly;Summary')
    Write-Host "published $(Join-Path $bin 'gateway')"
}

function Invoke-Demo {
    Invoke-Deps
    Invoke-Publish
    $script = Join-Path $Root 'demo/run-demo.ps1'
    $demoArgs = @{}
    if ($Once) { $demoArgs['Once'] = $true }
    & $script -Gateway (Join-Path $Artifacts 'bin/gateway') @demoArgs
    if (-not $?) { exit 1 }
}

function Invoke-Bench {
    Invoke-Deps
    $script = Join-Path $Root 'bench/run-bench.ps1'
    & $script @Rest
    if (-not $?) { exit 1 }
}

switch ($Task) {
    'deps' { Invoke-Deps }
    'build' { Invoke-Build }
    'test' { Invoke-Test }
    'publish' { Invoke-Publish }
    'demo' { Invoke-Demo }
    'bench' { Invoke-Bench }
    default { Get-Content $PSCommandPath | Select-Object -Skip 1 -First 7 | ForEach-Object { $_.TrimStart('# ') } }
}
