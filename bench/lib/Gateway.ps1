# The published gateway (artifacts/bin/gateway) in front of the benchmark PostgreSQL, configured like an
# operator would: dev token issuer, examples/rules/agents.yaml, audit durability buffered. Two listeners on
# the same rules: `pg` with tls: off (the loopback comparison) and `pg-tls` with tls: auto (the TLS run).

# -Cpus starts it under taskset, so the runtime sizes its thread pool and socket threads for the CPUs it gets.
# -PoolMaxIdle turns on target.pool (upstream sessions kept between clients, as pgbouncer keeps server connections).
function Start-BenchGateway([string] $Gateway, $Server, [int] $MaxConnectionsPerIp = 256, [string] $Durability = 'buffered', [string] $Cpus,
    [int] $PoolMaxIdle = 0) {
    $dir = Join-Path $Server.Work 'gateway'
    New-Item -ItemType Directory -Path $dir -Force | Out-Null
    $port = Get-FreePort
    $tlsPort = Get-FreePort
    $passwordFile = Join-Path $dir 'upstream.password'
    Set-Content -Path $passwordFile -Value $Server.Password -NoNewline
    $rules = Join-Path $script:Root 'examples/rules/agents.yaml'
    $target = @"
    target:
      host: 127.0.0.1
      port: $($Server.Port)
      tls: disable
      username: postgres
      password_file: $passwordFile
      pool: { max_idle: $PoolMaxIdle }
    rules: [$rules]
    max_connections_per_ip: $MaxConnectionsPerIp
"@
    $config = Join-Path $dir 'gateway.yaml'
    @"
node: bench
state_dir: $dir/state
identity:
  dev_issuer: true
  max_token_lifetime: 1h
audit:
  durability: $Durability
listeners:
  - name: pg
    protocol: postgres
    bind: 127.0.0.1:$port
    tls: off
$target
  - name: pg-tls
    protocol: postgres
    bind: 127.0.0.1:$tlsPort
    tls: auto
$target
"@ | Set-Content -Path $config
    $log = Join-Path $dir 'gateway.log'
    $process = Start-BenchProxy $Gateway @('run', '--config', $config) $Cpus $log (Join-Path $dir 'gateway.err')
    try { Wait-Port $port 60; Wait-Port $tlsPort 10 }
    catch { Stop-BenchProcess $process; throw "the gateway did not start: $(Get-Content -Raw $log -ErrorAction SilentlyContinue) $(Get-Content -Raw (Join-Path $dir 'gateway.err') -ErrorAction SilentlyContinue)" }
    $token = (& $Gateway token --config $config --sub bench-agent --group ai-agents --ttl 1h | Select-Object -Last 1)
    if ($LASTEXITCODE -ne 0 -or -not $token) { throw 'gateway token failed' }
    [pscustomobject]@{ Port = $port; TlsPort = $tlsPort; Process = $process; Token = $token; Config = $config; Directory = $dir; Log = $log }
}

function Stop-BenchGateway($Gateway) {
    if ($null -eq $Gateway) { return }
    Stop-BenchProcess $Gateway.Process
}

# Publishes artifacts/bin/gateway unless a gateway executable was given.
function Resolve-BenchGateway([string] $Gateway) {
    if ($Gateway) { return (Resolve-Path $Gateway).Path }
    Write-Step 'Publishing the gateway (build.ps1 publish)'
    # Its output goes to the host: this function's own output is the path.
    & dotnet pwsh (Join-Path $script:Root 'build.ps1') publish | Out-Host
    if ($LASTEXITCODE -ne 0) { throw 'publish failed' }
    return (Join-Path $script:Root 'artifacts/bin/gateway')
}
