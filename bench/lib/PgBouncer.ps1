# pgbouncer (Debian package) in session mode as the comparison peer: configured in a temp dir, clients
# authenticate with SCRAM against the role's SCRAM secret in the userlist (read from pg_authid), and pgbouncer
# reuses the client's SCRAM keys to log in to the server: no plaintext password on disk.

function Start-BenchPgBouncer($Server, [string] $Database, [int] $PoolSize = 20, [string] $CertFile, [string] $KeyFile) {
    $dir = Join-Path $Server.Work 'pgbouncer'
    New-Item -ItemType Directory -Path $dir -Force | Out-Null
    Set-PostgresOwned $dir
    $port = Get-FreePort
    $secret = (Invoke-BenchSql $Server "SELECT rolpassword FROM pg_authid WHERE rolname = 'postgres'" | Select-Object -First 1).Trim()
    $userlist = Join-Path $dir 'userlist.txt'
    Set-Content -Path $userlist -Value "`"postgres`" `"$secret`""
    $tls = ''
    if ($CertFile) {
        # allow: a client that asks for TLS gets it, one that does not (the plain runs) is served in the clear.
        $tls = "client_tls_sslmode = allow`nclient_tls_cert_file = $CertFile`nclient_tls_key_file = $KeyFile"
    }
    $ini = Join-Path $dir 'pgbouncer.ini'
    @"
[databases]
$Database = host=127.0.0.1 port=$($Server.Port) dbname=$Database

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $userlist
pool_mode = session
max_client_conn = 200
default_pool_size = $PoolSize
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
$tls
"@ | Set-Content -Path $ini
    foreach ($file in @($userlist, $ini)) { Set-PostgresOwned $file }
    Invoke-AsPostgres @('/usr/sbin/pgbouncer', '-d', $ini)
    Wait-Port $port 15
    # pgbouncer -d daemonises: its process id is in the pid file once it listens (the bench reads its CPU time).
    $processId = [int] (Get-Content "$dir/pgbouncer.pid" | Select-Object -First 1)
    [pscustomobject]@{ Port = $port; Directory = $dir; PidFile = "$dir/pgbouncer.pid"; ProcessId = $processId }
}

function Stop-BenchPgBouncer($Bouncer) {
    if ($null -eq $Bouncer -or -not (Test-Path $Bouncer.PidFile)) { return }
    $id = [int] (Get-Content $Bouncer.PidFile | Select-Object -First 1)
    & kill -TERM $id 2>$null
    for ($i = 0; $i -lt 50 -and (Test-Path "/proc/$id"); $i++) { Start-Sleep -Milliseconds 100 }
}

# A self-signed certificate for the TLS runs (pgbouncer's side; the gateway generates its own with tls: auto).
function New-BenchCertificate([string] $Directory) {
    $cert = Join-Path $Directory 'bench.crt'; $key = Join-Path $Directory 'bench.key'
    & openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj '/CN=localhost' `
        -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' -keyout $key -out $cert 2>$null
    if ($LASTEXITCODE -ne 0) { throw 'openssl could not create the benchmark certificate' }
    foreach ($file in @($cert, $key)) { Set-PostgresOwned $file }
    [pscustomobject]@{ Certificate = $cert; Key = $key }
}
