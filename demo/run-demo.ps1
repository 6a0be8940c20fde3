#!/usr/bin/env pwsh
# The README's main command (via build.ps1 demo): a throwaway PostgreSQL, the gateway on 127.0.0.1:15432 with
# the dev token issuer and examples/rules/agents.yaml, and a scripted agent session with psql that is audited,
# blocked and masked; then the replay of that session. -Once exits afterwards; otherwise the gateway keeps
# serving and a copy-paste psql command with a fresh token is printed.
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Gateway,
    [switch] $Once,
    [int] $Port = 15432
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = Split-Path -Parent $PSScriptRoot
$PgBin = '/usr/lib/postgresql/15/bin'

function Write-Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }

function Get-FreePort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop(); return $port
}

function Wait-Port([int] $TcpPort, [int] $Seconds) {
    $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        try { $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $TcpPort); $c.Dispose(); return } catch { Start-Sleep -Milliseconds 200 }
    }
    throw "nothing listens on 127.0.0.1:$TcpPort after $Seconds s"
}

function Test-PortFree([int] $TcpPort) {
    try { $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $TcpPort); $l.Start(); $l.Stop(); return $true } catch { return $false }
}

function Invoke-AsPostgres([string[]] $Command) {
    if ((& id -u) -eq '0') { & runuser -u postgres -- @Command } else { & $Command[0] @($Command | Select-Object -Skip 1) }
    if ($LASTEXITCODE -ne 0) { throw "$($Command -join ' ') exited with $LASTEXITCODE" }
}

if (-not (Test-PortFree $Port)) { throw "port $Port is in use: stop what listens there or pass -Port" }

$work = Join-Path ([System.IO.Path]::GetTempPath()) ("gateway-demo-" + [Guid]::NewGuid().ToString('n').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
$pgData = Join-Path $work 'pgdata'
$pgPort = Get-FreePort
$pgPassword = [Convert]::ToHexString([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(16))
$gatewayProcess = $null
$pgStarted = $false

try {
    Write-Step "Starting a throwaway PostgreSQL on 127.0.0.1:$pgPort ($pgData)"
    if ((& id -u) -eq '0') { & chown postgres $work; if ($LASTEXITCODE -ne 0) { throw 'chown failed' } }
    $pwFile = Join-Path $work 'pwfile'
    Set-Content -Path $pwFile -Value $pgPassword -NoNewline
    if ((& id -u) -eq '0') { & chown postgres $pwFile }
    Invoke-AsPostgres @("$PgBin/initdb", '-D', $pgData, '-U', 'postgres', '--auth=scram-sha-256', "--pwfile=$pwFile", '-E', 'UTF8', '--no-locale', '-N') | Out-Null
    [System.IO.File]::Delete($pwFile)
    Invoke-AsPostgres @("$PgBin/pg_ctl", '-D', $pgData, '-w', '-l', (Join-Path $pgData 'server.log'), '-o', "-p $pgPort -k $work -c listen_addresses=127.0.0.1", 'start') | Out-Null
    $pgStarted = $true
    $env:PGPASSWORD = $pgPassword
    & psql -X -q -h 127.0.0.1 -p $pgPort -U postgres -d postgres -v ON_ERROR_STOP=1 -f (Join-Path $PSScriptRoot 'seed.sql')
    if ($LASTEXITCODE -ne 0) { throw 'seeding the demo database failed' }
    Remove-Item Env:PGPASSWORD

    Write-Step "Starting the gateway on 127.0.0.1:$Port (dev token issuer, examples/rules/agents.yaml, local frame log)"
    $config = Join-Path $work 'gateway.yaml'
    @"
node: demo
state_dir: $work/state
identity:
  dev_issuer: true
  max_token_lifetime: 1h
audit:
  durability: buffered
listeners:
  - name: pg
    protocol: postgres
    bind: 127.0.0.1:$Port
    tls: auto
    target:
      host: 127.0.0.1
      port: $pgPort
      tls: prefer
      username: postgres
      password_env: DEMO_PG_UPSTREAM_PASSWORD
    rules: [$Root/examples/rules/agents.yaml]
"@ | Set-Content -Path $config
    $env:DEMO_PG_UPSTREAM_PASSWORD = $pgPassword
    $gatewayLog = Join-Path $work 'gateway.log'
    $gatewayProcess = Start-Process -FilePath $Gateway -ArgumentList @('run', '--config', $config) -PassThru `
        -RedirectStandardOutput $gatewayLog -RedirectStandardError (Join-Path $work 'gateway.err')
    Remove-Item Env:DEMO_PG_UPSTREAM_PASSWORD
    Wait-Port $Port 30

    Write-Step 'Minting a 10-minute token for the agent "demo-agent" in group ai-agents'
    $token = (& $Gateway token --config $config --sub demo-agent --group ai-agents --ttl 10m | Select-Object -Last 1)
    if ($LASTEXITCODE -ne 0 -or -not $token) { throw 'gateway token failed' }
    Write-Host "token: $($token.Substring(0, 24))... (an ES256 JWT; it is the agent's only credential)"

    Write-Step 'The agent runs an unmodified psql through the gateway (TLS, token as password)'
    $env:PGPASSWORD = $token
    $conn = "host=127.0.0.1 port=$Port dbname=postgres user=demo-agent sslmode=require application_name=demo-agent"
    & psql $conn -X -v VERBOSITY=default -P pager=off -f (Join-Path $PSScriptRoot 'agent-session.sql') 2>&1 | ForEach-Object { "$_" }

    Write-Step 'A long query is cancelled (Ctrl-C in psql sends a CancelRequest through the gateway)'
    $started = [DateTime]::UtcNow
    & timeout -s INT 2 psql $conn -X -c 'SELECT pg_sleep(60)' 2>&1 | ForEach-Object { "$_" }
    Write-Host ("psql returned after {0:N1} s instead of 60 s" -f ([DateTime]::UtcNow - $started).TotalSeconds)
    Remove-Item Env:PGPASSWORD

    Write-Step 'The frame log: sessions recorded by the gateway'
    & $Gateway replay --config $config --list
    $sessions = & $Gateway replay --config $config --list --format ids --subject demo-agent
    $first = @($sessions | Where-Object { $_ -match '\S' })[0]
    Write-Step "Replay of the agent's session $first, as the agent saw it (masked)"
    & $Gateway replay --config $config $first --no-wait
    if ($LASTEXITCODE -ne 0) { throw 'replay failed' }

    Write-Step 'Verifying the hash chain of the frame log'
    & $Gateway verify --config $config
    if ($LASTEXITCODE -ne 0) { throw 'verify failed' }

    if (-not $Once) {
        $fresh = (& $Gateway token --config $config --sub you --group ai-agents --ttl 1h | Select-Object -Last 1)
        Write-Step 'The gateway keeps serving. Connect as an agent with:'
        Write-Host "PGPASSWORD='$fresh' psql 'host=127.0.0.1 port=$Port dbname=postgres user=you sslmode=require'"
        Write-Host "Replay later with: $Gateway replay --config $config --list"
        Write-Host 'Press Ctrl-C to stop.'
        Wait-Process -Id $gatewayProcess.Id
    }
    Write-Step 'Demo finished'
}
finally {
    if ($gatewayProcess -and -not $gatewayProcess.HasExited) {
        & kill -TERM $gatewayProcess.Id
        if (-not $gatewayProcess.WaitForExit(15000)) { $gatewayProcess.Kill() }
    }
    if ($pgStarted) { Invoke-AsPostgres @("$PgBin/pg_ctl", '-D', $pgData, '-m', 'fast', 'stop') | Out-Null }
    # Remove-Item refuses files owned by the postgres user even as root; rm does not.
    if ($Once) { & rm -rf $work }
}
