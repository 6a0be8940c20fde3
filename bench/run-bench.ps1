#!/usr/bin/env pwsh
# Benchmarks of the PostgreSQL path (docs/performance.md). Run through build.ps1:
#   dotnet pwsh ./build.ps1 bench pg     [-Seconds 10] [-Rounds 3] [-Scale 10] [-SkipTls] [-Gateway PATH] [-Output FILE]
#   dotnet pwsh ./build.ps1 bench micro  [-Filter GLOB] [-Job short|default]
#   dotnet pwsh ./build.ps1 bench memory [-Connections 1000] [-Rows 1000000] [-Gateway PATH] [-Output FILE]
# Without -Gateway the gateway is published first (build.ps1 publish) and artifacts/bin/gateway is measured.
[CmdletBinding()]
param(
    [Parameter(Position = 0, Mandatory)]
    [ValidateSet('pg', 'micro', 'memory')]
    [string] $Suite,

    [string] $Gateway,
    [string] $Output,
    # pg
    [int] $Seconds = 10,
    [int] $Rounds = 3,
    [int] $Scale = 10,
    [int] $Clients = 8,
    [int] $Threads = 2,
    [switch] $SkipTls,
    # micro
    [string] $Filter = '*',
    [ValidateSet('short', 'default')] [string] $Job = 'default',
    # memory
    [int] $Connections = 1000,
    [int] $Rows = 1000000
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$script:Root = Split-Path -Parent $PSScriptRoot
foreach ($lib in 'Common', 'Postgres', 'PgBouncer', 'Gateway') { . (Join-Path $PSScriptRoot "lib/$lib.ps1") }

switch ($Suite) {
    'pg' {
        . (Join-Path $PSScriptRoot 'pg.ps1') -Gateway $Gateway -Seconds $Seconds -Rounds $Rounds -Scale $Scale `
            -Clients $Clients -Threads $Threads -SkipTls:$SkipTls -Output $Output
    }
    'micro' { . (Join-Path $PSScriptRoot 'micro.ps1') -Filter $Filter -Job $Job }
    'memory' { . (Join-Path $PSScriptRoot 'memory.ps1') -Gateway $Gateway -Connections $Connections -Rows $Rows -Output $Output }
}
