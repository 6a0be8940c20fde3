#!/usr/bin/env pwsh
# Benchmarks of the PostgreSQL path (docs/performance.md). Run through build.ps1:
#   dotnet pwsh ./build.ps1 bench pg     [-Seconds 10] [-Rounds 3] [-Scale 10] [-Clients 8] [-Threads 2]
#                                        [-WarmupSeconds 1] [-SkipTls] [-PinCores] [-Floor] [-Gateway PATH] [-Output FILE]
#   dotnet pwsh ./build.ps1 bench micro  [-Benchmarks GLOB] [-Job short|default]
#   dotnet pwsh ./build.ps1 bench memory [-Connections 1000] [-Rows 1000000] [-Gateway PATH] [-Output FILE]
# Without -Gateway the gateway is published first (build.ps1 publish) and artifacts/bin/gateway is measured.
[CmdletBinding()]
param(
    [Parameter(Position = 0, Mandatory)]
    [ValidateSet('pg', 'micro', 'memory')]
    [string] $Suite,

    # build.ps1 hands its remaining arguments over as plain strings ("-Seconds", "2"): they are parsed here
    # and bound by name to the suite script's own parameters, which validate them.
    [Parameter(ValueFromRemainingArguments = $true)]
    [string[]] $Options = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$script:Root = Split-Path -Parent $PSScriptRoot
foreach ($lib in 'Common', 'Postgres', 'PgBouncer', 'Gateway', 'Floor') { . (Join-Path $PSScriptRoot "lib/$lib.ps1") }

function ConvertTo-NamedArguments([string[]] $Tokens) {
    $named = @{}
    for ($i = 0; $i -lt $Tokens.Count; $i++) {
        $token = $Tokens[$i]
        if ($token -notmatch '^-([A-Za-z]+)(:(.*))?$') { throw "unexpected argument '$token' (options are -Name value or -Switch)" }
        $name = $Matches[1]
        if ($Matches[2]) { $named[$name] = $Matches[3]; continue }
        if ($i + 1 -lt $Tokens.Count -and $Tokens[$i + 1] -notmatch '^-[A-Za-z]') { $named[$name] = $Tokens[++$i] }
        else { $named[$name] = $true }
    }
    return $named
}

$named = ConvertTo-NamedArguments $Options
. (Join-Path $PSScriptRoot "$Suite.ps1") @named
