# bench memory: the gateway's resident memory (VmRSS of its process, /proc/PID/status) for (1) N idle authenticated
# connections and (2) one SELECT of 1,000,000 rows of ~100 bytes streamed through the agents mask rule.
param(
    [string] $Gateway,
    [int] $Connections = 1000,
    [int] $Rows = 1000000,
    [string] $Output
)

$Database = 'bench'

function Get-UpstreamSessions($Server) {
    [int] (Invoke-BenchSql $Server "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND datname = '$Database'" | Select-Object -First 1)
}

function Measure-Peak([int] $ProcessId, $Process) {
    $peak = 0L
    while (-not $Process.HasExited) {
        $peak = [Math]::Max($peak, (Get-ProcessMemoryKb $ProcessId))
        Start-Sleep -Milliseconds 20
    }
    return [Math]::Max($peak, (Get-ProcessMemoryKb $ProcessId))
}

$work = New-BenchDirectory 'memory'
$server = $null; $gw = $null; $holders = $null
try {
    $gatewayPath = Resolve-BenchGateway $Gateway
    Write-Step "PostgreSQL (max_connections $($Connections + 20)) and the gateway"
    $server = Start-BenchPostgres $work ($Connections + 20)
    Invoke-BenchSql $server "CREATE DATABASE $Database" | Out-Null
    $gw = Start-BenchGateway $gatewayPath $server -MaxConnectionsPerIp ($Connections + 10)
    $gatewayPid = $gw.Process.Id

    # Warm-up: the connection and query paths run (and JIT) before the baseline is taken.
    $env:PGPASSWORD = $gw.Token
    & psql "host=127.0.0.1 port=$($gw.Port) dbname=$Database user=bench-agent sslmode=disable" -X -q -c 'SELECT 1' | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'the warm-up query through the gateway failed' }
    Start-Sleep -Seconds 2
    $baseline = Get-ProcessMemoryKb $gatewayPid

    Write-Step "$Connections idle authenticated connections (pgbench clients that connect, then sleep)"
    $script = Join-Path $work 'idle.sql'
    Set-Content -Path $script -Value '\sleep 600 s'
    $env:PGPASSWORD = $gw.Token
    $holders = Start-Process -FilePath 'pgbench' -PassThru -RedirectStandardOutput (Join-Path $work 'idle.out') -RedirectStandardError (Join-Path $work 'idle.err') `
        -ArgumentList @('-h', '127.0.0.1', '-p', $gw.Port, '-U', 'bench-agent', '-n', '-c', $Connections, '-j', 2, '-t', 1, '-f', $script, $Database)
    $deadline = [DateTime]::UtcNow.AddSeconds(300)
    while ((Get-UpstreamSessions $server) -lt $Connections) {
        if ($holders.HasExited) { throw "pgbench ended early: $(Get-Content -Raw (Join-Path $work 'idle.err'))" }
        if ([DateTime]::UtcNow -gt $deadline) { throw "only $(Get-UpstreamSessions $server) of $Connections connections were authenticated after 300 s" }
        Start-Sleep -Milliseconds 500
    }
    Start-Sleep -Seconds 3
    $idle = Get-ProcessMemoryKb $gatewayPid
    $perConnection = ($idle - $baseline) / $Connections
    Write-Host ("gateway RSS {0:N1} MiB before, {1:N1} MiB with {2} idle connections: {3:N1} KiB per connection" -f ($baseline / 1024), ($idle / 1024), $Connections, $perConnection)
    Stop-BenchProcess $holders 5000
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ((Get-UpstreamSessions $server) -gt 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 500 }
    Start-Sleep -Seconds 2

    Write-Step "One SELECT of $Rows rows (~100 bytes each) through the agents mask rule"
    $beforeQuery = Get-ProcessMemoryKb $gatewayPid
    $sql = "SELECT i AS id, md5(i::text) AS code, 'customer ' || (i % 1000) AS name, " +
        "timestamptz '2025-01-01' + i * interval '1 second' AS created_at FROM generate_series(1, $Rows) AS i"
    $sqlFile = Join-Path $work 'big.sql'
    Set-Content -Path $sqlFile -Value $sql
    # Start-Process joins its arguments with spaces: the connection goes through libpq's environment instead.
    $env:PGPASSWORD = $gw.Token; $env:PGHOST = '127.0.0.1'; $env:PGPORT = "$($gw.Port)"; $env:PGDATABASE = $Database; $env:PGUSER = 'bench-agent'; $env:PGSSLMODE = 'disable'
    $started = [DateTime]::UtcNow
    $query = Start-Process -FilePath 'psql' -PassThru -RedirectStandardOutput '/dev/null' -RedirectStandardError (Join-Path $work 'big.err') `
        -ArgumentList @('-X', '-q', '-A', '-t', '-f', $sqlFile)
    $peak = Measure-Peak $gatewayPid $query
    $seconds = ([DateTime]::UtcNow - $started).TotalSeconds
    if ($query.ExitCode -ne 0) { throw "the big SELECT failed: $(Get-Content -Raw (Join-Path $work 'big.err'))" }
    $growth = $peak - $beforeQuery
    Write-Host ("gateway RSS {0:N1} MiB before the query, peak {1:N1} MiB: growth {2:N1} MiB ({3:N1} s)" -f ($beforeQuery / 1024), ($peak / 1024), ($growth / 1024), $seconds)
    Remove-Item Env:PGPASSWORD, Env:PGHOST, Env:PGPORT, Env:PGDATABASE, Env:PGUSER, Env:PGSSLMODE

    $result = [ordered]@{
        suite = 'memory'
        date = [DateTime]::UtcNow.ToString('o')
        machine = Get-MachineFacts
        idle = [ordered]@{ connections = $Connections; baseline_kib = $baseline; idle_kib = $idle; delta_kib = $idle - $baseline
            per_connection_kib = $perConnection; goal_total_mib = 64; met = (($idle - $baseline) / 1024) -le 64 }
        big_result = [ordered]@{ rows = $Rows; before_kib = $beforeQuery; peak_kib = $peak; growth_kib = $growth; seconds = $seconds
            goal_growth_mib = 50; met = ($growth / 1024) -lt 50 }
    }
    if (-not $Output) { $Output = Join-Path $script:Root ("bench/results/memory-{0:yyyy-MM-dd-HHmm}.json" -f [DateTime]::UtcNow) }
    $result | ConvertTo-Json -Depth 5 | Set-Content -Path $Output
    Write-Step "Results -> $Output"
    Write-Host '| measurement | result | goal |'
    Write-Host '|---|---|---|'
    Write-Host ("| {0:N0} idle connections | {1:N1} MiB RSS growth ({2:N1} KiB each) | ≤ 64 MiB total |" -f $Connections, (($idle - $baseline) / 1024), $perConnection)
    Write-Host ("| SELECT of {0:N0} rows | {1:N1} MiB peak RSS growth | < 50 MiB |" -f $Rows, ($growth / 1024))
}
finally {
    if ($holders) { Stop-BenchProcess $holders 5000 }
    Stop-BenchGateway $gw
    Stop-BenchPostgres $server
    Remove-BenchPath $work
}
