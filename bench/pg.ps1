# bench pg: pgbench against PostgreSQL directly, pgbouncer (session mode) and the gateway, interleaved rounds,
# medians and ratios; then one round with TLS on the gateway and pgbouncer. -PinCores puts PostgreSQL and pgbench on
# one half of the cores and the proxies on the other, as if the proxy ran on cores of its own. -Floor adds bench/floor, a
# forwarder on the gateway's socket stack that only copies bytes: the floor under the gateway. See docs/performance.md.
param(
    [string] $Gateway,
    [int] $Seconds = 10,
    [int] $Rounds = 3,
    [int] $Scale = 10,
    [int] $Clients = 8,
    [int] $Threads = 2,
    [int] $WarmupSeconds = 1,
    [switch] $SkipTls,
    [switch] $PinCores,
    [switch] $Floor,
    [string] $Output
)

$Workloads = [ordered]@{
    'select-simple'   = @('-S', '-M', 'simple')
    'select-prepared' = @('-S', '-M', 'prepared')
    'tpcb-like'       = @('-M', 'simple')
    # A new connection for every transaction, as an agent running psql -c per step does: connection setup
    # (token, session record, the upstream connection and its SCRAM exchange) is what it measures.
    'select-connect'  = @('-C', '-S', '-M', 'simple')
}
# The issue's targets: gateway/pgbouncer and gateway/direct, per workload (0 = no goal).
$Goals = @{
    'select-simple'   = @{ pgbouncer = 1.10; direct = 0.75 }
    'select-prepared' = @{ pgbouncer = 1.20; direct = 0.60 }
    'tpcb-like'       = @{ pgbouncer = 0; direct = 0.95 }
    'select-connect'  = @{ pgbouncer = 0; direct = 0 }
}
$Database = 'bench'
$PoolSize = 20

# The proxy's own CPU per transaction (pgbouncer or the gateway; PostgreSQL's backends are not counted): on a
# shared machine tps moves with the neighbours' load, CPU per transaction much less.
function Measure-Pgbench($Endpoint, [string[]] $WorkloadArgs, [int] $Duration) {
    $before = if ($Endpoint.ProcessId) { Get-ProcessCpuSeconds $Endpoint.ProcessId } else { $null }
    $r = Invoke-Pgbench $Endpoint $WorkloadArgs $Duration
    $cpu = if ($null -ne $before -and $r.Transactions -gt 0) { ((Get-ProcessCpuSeconds $Endpoint.ProcessId) - $before) * 1e6 / $r.Transactions } else { $null }
    $r | Add-Member -NotePropertyName CpuUsPerTx -NotePropertyValue $cpu -PassThru
}

function Format-Cpu($Value) { if ($null -eq $Value -or [double]::IsNaN($Value)) { 'n/a' } else { '{0:N0} µs' -f $Value } }

function Invoke-Pgbench($Endpoint, [string[]] $WorkloadArgs, [int] $Duration) {
    $arguments = @('-h', '127.0.0.1', '-p', $Endpoint.Port, '-U', $Endpoint.User, '-n', '-c', $Clients, '-j', $Threads,
        '-T', $Duration) + $WorkloadArgs + @($Database)
    $env:PGPASSWORD = $Endpoint.Password
    $env:PGSSLMODE = $Endpoint.SslMode
    try {
        $out = if ($script:Split) { & taskset -c $script:Split.Database pgbench @arguments 2>&1 | ForEach-Object { "$_" } }
        else { & pgbench @arguments 2>&1 | ForEach-Object { "$_" } }
    }
    finally { Remove-Item Env:PGPASSWORD, Env:PGSSLMODE -ErrorAction SilentlyContinue }
    $text = $out -join "`n"
    # -C reports tps "including reconnection times", the others "without initial connection time".
    if ($LASTEXITCODE -ne 0 -or $text -notmatch 'tps = ([0-9.]+) \((without initial connection time|including reconnection times)\)') {
        throw "pgbench against $($Endpoint.Name) failed (exit $LASTEXITCODE):`n$text"
    }
    $tps = [double] $Matches[1]
    $latency = if ($text -match 'latency average = ([0-9.]+) ms') { [double] $Matches[1] } else { $null }
    $failed = if ($text -match 'number of failed transactions: ([0-9]+)') { [long] $Matches[1] } else { 0 }
    $done = if ($text -match 'number of transactions actually processed: ([0-9]+)') { [long] $Matches[1] } else { 0 }
    if ($failed -gt 0) { throw "pgbench against $($Endpoint.Name): $failed failed transactions`n$text" }
    [pscustomobject]@{ Tps = $tps; LatencyMs = $latency; Transactions = $done }
}

function Format-Ratio([double] $Value, [double] $Goal) {
    if ([double]::IsNaN($Value)) { return 'n/a' }
    $text = '{0:N2}' -f $Value
    if ($Goal -gt 0) { $text += if ($Value -ge $Goal) { " (goal ≥ $Goal, met)" } else { " (goal ≥ $Goal, missed)" } }
    return $text
}

$work = New-BenchDirectory 'pg'
$server = $null; $bouncer = $null; $gw = $null; $floorProxy = $null
try {
    $gatewayPath = Resolve-BenchGateway $Gateway

    Write-Step "PostgreSQL, pgbench -i -s $Scale"
    $server = Start-BenchPostgres $work 100
    Invoke-BenchSql $server "CREATE DATABASE $Database" | Out-Null
    $env:PGPASSWORD = $server.Password
    & pgbench -i -q -s $Scale -h 127.0.0.1 -p $server.Port -U postgres $Database 2>&1 | ForEach-Object { Write-Verbose "$_" }
    $initExit = $LASTEXITCODE
    Remove-Item Env:PGPASSWORD
    if ($initExit -ne 0) { throw 'pgbench -i failed' }

    $script:Split = if ($PinCores) { Get-BenchCpuSplit } else { $null }
    $cert = New-BenchCertificate $work
    # Both proxies keep up to 20 server connections between clients: pgbouncer's session pool, the gateway's target.pool.
    $bouncer = Start-BenchPgBouncer $server $Database -PoolSize $PoolSize -CertFile $cert.Certificate -KeyFile $cert.Key
    $gw = Start-BenchGateway $gatewayPath $server -Cpus $(if ($script:Split) { $script:Split.Proxy } else { '' }) -PoolMaxIdle $PoolSize
    if ($Floor) { $floorProxy = Start-BenchFloor $server -Cpus $(if ($script:Split) { $script:Split.Proxy } else { '' }) }
    Write-Host "direct :$($server.Port)  pgbouncer :$($bouncer.Port)  gateway :$($gw.Port) (tls :$($gw.TlsPort))$(if ($floorProxy) { "  floor :$($floorProxy.Port)" })"
    if ($script:Split) {
        # The postmaster's backends are forked per connection and inherit its CPU list.
        Set-BenchAffinity ([int] (Get-Content (Join-Path $server.Data 'postmaster.pid') -TotalCount 1)) $script:Split.Database
        Set-BenchAffinity $bouncer.ProcessId $script:Split.Proxy
        Write-Host "pinned: PostgreSQL and pgbench on CPUs $($script:Split.Database), pgbouncer and the gateway on CPUs $($script:Split.Proxy)"
    }

    $endpoints = @(
        [pscustomobject]@{ Name = 'direct'; Port = $server.Port; User = 'postgres'; Password = $server.Password; SslMode = 'disable'; ProcessId = $null }
        [pscustomobject]@{ Name = 'pgbouncer'; Port = $bouncer.Port; User = 'postgres'; Password = $server.Password; SslMode = 'disable'; ProcessId = $bouncer.ProcessId }
        [pscustomobject]@{ Name = 'gateway'; Port = $gw.Port; User = 'bench-agent'; Password = $gw.Token; SslMode = 'disable'; ProcessId = $gw.Process.Id }
    )
    if ($floorProxy) {
        $endpoints += [pscustomobject]@{ Name = 'floor'; Port = $floorProxy.Port; User = 'postgres'; Password = $server.Password; SslMode = 'disable'; ProcessId = $floorProxy.Process.Id }
    }

    # A short warm-up per target and workload: JIT tiers, caches and pools, not measured.
    if ($WarmupSeconds -gt 0) {
        Write-Step 'Warm-up'
        foreach ($workload in $Workloads.Keys) { foreach ($endpoint in $endpoints) { Invoke-Pgbench $endpoint $Workloads[$workload] $WarmupSeconds | Out-Null } }
    }

    $runs = [System.Collections.Generic.List[object]]::new()
    for ($round = 1; $round -le $Rounds; $round++) {
        # Interleaved, and the order rotates per round so no target always runs right after another.
        $order = @(0..($endpoints.Count - 1) | ForEach-Object { $endpoints[($_ + $round - 1) % $endpoints.Count] })
        foreach ($workload in $Workloads.Keys) {
            foreach ($endpoint in $order) {
                $r = Measure-Pgbench $endpoint $Workloads[$workload] $Seconds
                Write-Host ("round {0}  {1,-16} {2,-10} {3,10:N0} tps  {4,7:N3} ms  {5,9} CPU/tx" -f $round, $workload, $endpoint.Name, $r.Tps, $r.LatencyMs, (Format-Cpu $r.CpuUsPerTx))
                $runs.Add([ordered]@{ round = $round; workload = $workload; target = $endpoint.Name; tls = $false
                        tps = $r.Tps; latency_ms = $r.LatencyMs; transactions = $r.Transactions; cpu_us_per_tx = $r.CpuUsPerTx })
            }
        }
    }

    $tlsRuns = [System.Collections.Generic.List[object]]::new()
    if (-not $SkipTls) {
        Write-Step 'TLS on the gateway and pgbouncer (one round)'
        $tlsEndpoints = @(
            [pscustomobject]@{ Name = 'pgbouncer'; Port = $bouncer.Port; User = 'postgres'; Password = $server.Password; SslMode = 'require' }
            [pscustomobject]@{ Name = 'gateway'; Port = $gw.TlsPort; User = 'bench-agent'; Password = $gw.Token; SslMode = 'require' }
        )
        foreach ($workload in $Workloads.Keys) {
            foreach ($endpoint in $tlsEndpoints) {
                $r = Invoke-Pgbench $endpoint $Workloads[$workload] $Seconds
                Write-Host ("tls      {0,-16} {1,-10} {2,10:N0} tps  {3,7:N3} ms" -f $workload, $endpoint.Name, $r.Tps, $r.LatencyMs)
                $tlsRuns.Add([ordered]@{ round = 1; workload = $workload; target = $endpoint.Name; tls = $true
                        tps = $r.Tps; latency_ms = $r.LatencyMs; transactions = $r.Transactions })
            }
        }
    }

    $summary = foreach ($workload in $Workloads.Keys) {
        $median = @{}
        $cpu = @{}
        foreach ($name in $endpoints.Name) {
            $mine = @($runs | Where-Object { $_.workload -eq $workload -and $_.target -eq $name })
            $median[$name] = Get-Median @($mine | ForEach-Object { $_.tps })
            $cpu[$name] = Get-Median @($mine | Where-Object { $null -ne $_.cpu_us_per_tx } | ForEach-Object { $_.cpu_us_per_tx })
        }
        $tlsPair = @($tlsRuns | Where-Object { $_.workload -eq $workload })
        $tlsRatio = if ($tlsPair.Count -eq 2) { ($tlsPair | Where-Object target -eq 'gateway').tps / ($tlsPair | Where-Object target -eq 'pgbouncer').tps } else { $null }
        $row = [ordered]@{
            workload = $workload
            direct_tps = $median['direct']; pgbouncer_tps = $median['pgbouncer']; gateway_tps = $median['gateway']
            gateway_vs_direct = $median['gateway'] / $median['direct']
            gateway_vs_pgbouncer = $median['gateway'] / $median['pgbouncer']
            goal_vs_direct = $Goals[$workload].direct; goal_vs_pgbouncer = $Goals[$workload].pgbouncer
            tls_gateway_vs_pgbouncer = $tlsRatio
            pgbouncer_cpu_us_per_tx = $cpu['pgbouncer']; gateway_cpu_us_per_tx = $cpu['gateway']
        }
        if ($floorProxy) {
            $row.floor_tps = $median['floor']
            $row.gateway_vs_floor = $median['gateway'] / $median['floor']
            $row.floor_vs_pgbouncer = $median['floor'] / $median['pgbouncer']
            $row.floor_cpu_us_per_tx = $cpu['floor']
        }
        $row
    }

    $result = [ordered]@{
        suite = 'pg'
        date = [DateTime]::UtcNow.ToString('o')
        machine = Get-MachineFacts
        settings = [ordered]@{ seconds = $Seconds; rounds = $Rounds; scale = $Scale; clients = $Clients; threads = $Threads
            audit = 'buffered'; rules = 'examples/rules/agents.yaml'; pgbouncer = "$((& /usr/sbin/pgbouncer --version | Select-Object -First 1))"
            server_connections_kept = $PoolSize
            pinned = if ($script:Split) { [ordered]@{ postgres_and_pgbench = $script:Split.Database; proxies = $script:Split.Proxy } } else { $null }
            floor = [bool] $Floor }
        summary = @($summary)
        runs = @($runs)
        tls_runs = @($tlsRuns)
    }
    if (-not $Output) {
        $suffix = if ($PinCores) { '-pinned' } else { '' }
        $Output = Join-Path $script:Root ("bench/results/pg-{0:yyyy-MM-dd-HHmm}{1}.json" -f [DateTime]::UtcNow, $suffix)
    }
    $result | ConvertTo-Json -Depth 6 | Set-Content -Path $Output
    $pinning = if ($script:Split) { "; PostgreSQL and pgbench on CPUs $($script:Split.Database), the proxies on CPUs $($script:Split.Proxy)" } else { '' }
    Write-Step "Results ($Rounds round(s) of $Seconds s, medians; $Clients clients, $Threads threads, scale $Scale$pinning) -> $Output"
    Write-Host '| workload | direct tps | pgbouncer tps | gateway tps | gateway / direct | gateway / pgbouncer | TLS: gateway / pgbouncer | CPU/tx pgbouncer | CPU/tx gateway |'
    Write-Host '|---|---:|---:|---:|---|---|---|---:|---:|'
    foreach ($s in $summary) {
        $tlsText = if ($null -ne $s.tls_gateway_vs_pgbouncer) { '{0:N2}' -f $s.tls_gateway_vs_pgbouncer } else { 'not run' }
        Write-Host ("| {0} | {1:N0} | {2:N0} | {3:N0} | {4} | {5} | {6} | {7} | {8} |" -f $s.workload, $s.direct_tps, $s.pgbouncer_tps, $s.gateway_tps,
            (Format-Ratio $s.gateway_vs_direct $s.goal_vs_direct), (Format-Ratio $s.gateway_vs_pgbouncer $s.goal_vs_pgbouncer), $tlsText,
            (Format-Cpu $s.pgbouncer_cpu_us_per_tx), (Format-Cpu $s.gateway_cpu_us_per_tx))
    }
    if ($floorProxy) {
        Write-Host ''
        Write-Host '| workload | floor tps | floor / pgbouncer | gateway / floor | CPU/tx pgbouncer | CPU/tx floor | CPU/tx gateway |'
        Write-Host '|---|---:|---|---|---:|---:|---:|'
        foreach ($s in $summary) {
            Write-Host ("| {0} | {1:N0} | {2:N2} | {3:N2} | {4} | {5} | {6} |" -f $s.workload, $s.floor_tps, $s.floor_vs_pgbouncer, $s.gateway_vs_floor,
                (Format-Cpu $s.pgbouncer_cpu_us_per_tx), (Format-Cpu $s.floor_cpu_us_per_tx), (Format-Cpu $s.gateway_cpu_us_per_tx))
        }
    }
}
finally {
    Stop-BenchGateway $gw
    Stop-BenchFloor $floorProxy
    Stop-BenchPgBouncer $bouncer
    Stop-BenchPostgres $server
    Remove-BenchPath $work
}
