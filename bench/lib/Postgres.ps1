# A throwaway PostgreSQL 15 for the benchmarks, started like demo/run-demo.ps1 does: initdb as the postgres OS
# user, scram-sha-256 for everyone, loopback only. fsync stays on; synchronous_commit is off so tpcb-like
# measures the data path rather than this machine's disk flush latency (the same server serves every target).

function Start-BenchPostgres([string] $Work, [int] $MaxConnections = 100) {
    $data = Join-Path $Work 'pgdata'
    $port = Get-FreePort
    $password = New-Secret
    $pwFile = Join-Path $Work 'pwfile'
    Set-Content -Path $pwFile -Value $password -NoNewline
    Set-PostgresOwned $pwFile
    Invoke-AsPostgres @("$script:PgBin/initdb", '-D', $data, '-U', 'postgres', '--auth=scram-sha-256', "--pwfile=$pwFile", '-E', 'UTF8', '--no-locale', '-N')
    Remove-BenchPath $pwFile
    $options = "-p $port -k $Work -c listen_addresses=127.0.0.1 -c max_connections=$MaxConnections -c synchronous_commit=off -c shared_buffers=128MB"
    Invoke-AsPostgres @("$script:PgBin/pg_ctl", '-D', $data, '-w', '-l', (Join-Path $Work 'postgres.log'), '-o', $options, 'start')
    [pscustomobject]@{ Port = $port; Password = $password; Data = $data; Work = $Work }
}

function Stop-BenchPostgres($Server) {
    if ($null -eq $Server) { return }
    try { Invoke-AsPostgres @("$script:PgBin/pg_ctl", '-D', $Server.Data, '-m', 'immediate', 'stop') -Quiet } catch { Write-Warning $_ }
}

# Runs SQL as the superuser over TCP (psql), failing on the first error.
function Invoke-BenchSql($Server, [string] $Sql, [string] $Database = 'postgres') {
    $env:PGPASSWORD = $Server.Password
    try {
        $out = & psql -X -q -t -A -h 127.0.0.1 -p $Server.Port -U postgres -d $Database -v ON_ERROR_STOP=1 -c $Sql 2>&1
        if ($LASTEXITCODE -ne 0) { throw "psql failed: $($out -join "`n")" }
        return $out
    }
    finally { Remove-Item Env:PGPASSWORD -ErrorAction SilentlyContinue }
}
