# bench pg -Floor: bench/floor, a forwarder on the gateway's socket stack that only copies bytes (no parsing, policy
# or frame log). Clients log in to PostgreSQL through it directly (SCRAM end to end), like pgbouncer's.

function Start-BenchFloor($Server, [string] $Cpus) {
    $dir = Join-Path $Server.Work 'floor'
    Write-Step 'Building the floor forwarder (bench/floor)'
    & dotnet build (Join-Path $script:Root 'bench/floor/Floor.csproj') -c Release -o $dir --nologo -v quiet | Out-Host
    if ($LASTEXITCODE -ne 0) { throw 'bench/floor did not build' }
    $port = Get-FreePort
    $binary = Join-Path $dir 'gateway-floor'
    $process = Start-BenchProxy $binary @("$port", "$($Server.Port)") $Cpus (Join-Path $dir 'floor.log') (Join-Path $dir 'floor.err')
    try { Wait-Port $port 30 }
    catch { Stop-BenchProcess $process; throw "the floor forwarder did not start: $(Get-Content -Raw (Join-Path $dir 'floor.err') -ErrorAction SilentlyContinue)" }
    [pscustomobject]@{ Port = $port; Process = $process }
}

function Stop-BenchFloor($Floor) {
    if ($null -eq $Floor) { return }
    Stop-BenchProcess $Floor.Process
}
