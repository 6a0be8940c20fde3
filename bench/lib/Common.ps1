# Helpers shared by the benchmark suites: ports, processes run as the postgres OS user, temp dirs, RSS.

$script:PgBin = '/usr/lib/postgresql/15/bin'
$script:IsRoot = (& id -u) -eq '0'

function Write-Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }

function Get-FreePort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop(); return $port
}

function Wait-Port([int] $TcpPort, [int] $Seconds = 30) {
    $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        try { $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $TcpPort); $c.Dispose(); return } catch { Start-Sleep -Milliseconds 100 }
    }
    throw "nothing listens on 127.0.0.1:$TcpPort after $Seconds s"
}

# PostgreSQL and pgbouncer refuse to run as root: run them as the postgres OS user when we are root.
function Invoke-AsPostgres([string[]] $Command, [switch] $Quiet) {
    if ($script:IsRoot) { $output = & runuser -u postgres -- @Command 2>&1 } else { $output = & $Command[0] @($Command | Select-Object -Skip 1) 2>&1 }
    $code = $LASTEXITCODE
    if (-not $Quiet) { $output | ForEach-Object { Write-Verbose "$_" } }
    if ($code -ne 0) { throw "$($Command -join ' ') exited with $code`n$($output -join "`n")" }
}

function New-BenchDirectory([string] $Name) {
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) ("gateway-bench-$Name-" + [Guid]::NewGuid().ToString('n').Substring(0, 8))
    New-Item -ItemType Directory -Path $dir | Out-Null
    # The postgres OS user writes its data, sockets and pgbouncer files here.
    if ($script:IsRoot) { & chown postgres $dir; if ($LASTEXITCODE -ne 0) { throw "chown $dir failed" } }
    return $dir
}

# PowerShell's Remove-Item refuses files owned by another user even for root; rm does not.
function Remove-BenchPath([string] $Path) { if ($Path -and (Test-Path $Path)) { & rm -rf -- $Path } }

function Set-PostgresOwned([string] $Path) {
    if ($script:IsRoot) { & chown postgres $Path; if ($LASTEXITCODE -ne 0) { throw "chown $Path failed" } }
}

function New-Secret { [Convert]::ToHexString([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(16)) }

# Resident set size of a process in KiB, from /proc/PID/status (VmRSS, or VmHWM for the peak).
function Get-ProcessMemoryKb([int] $ProcessId, [string] $Field = 'VmRSS') {
    $line = Get-Content "/proc/$ProcessId/status" | Where-Object { $_ -like "${Field}:*" }
    if (-not $line) { throw "no $Field for process $ProcessId" }
    return [long] (($line -split '\s+')[1])
}

# CPU time (user + system, all threads) a process has used so far, in seconds, from /proc/PID/stat. The fields
# after the command name (which may hold spaces) are counted from its closing parenthesis: utime and stime are the
# 14th and 15th fields of the line, in clock ticks.
$script:ClockTicks = [double] (& getconf CLK_TCK)
function Get-ProcessCpuSeconds([int] $ProcessId) {
    $stat = Get-Content -Raw "/proc/$ProcessId/stat"
    $fields = $stat.Substring($stat.LastIndexOf(')') + 2) -split ' '
    return ([double] $fields[11] + [double] $fields[12]) / $script:ClockTicks
}

# Two disjoint CPU lists (taskset syntax) splitting the CPUs this process may use (Cpus_allowed_list, so a cpuset is
# respected): the database side (PostgreSQL and pgbench) gets the larger half, the proxies the rest, so a proxy is
# measured as if on cores of its own rather than taking CPU from them.
function Get-BenchCpuSplit {
    $allowed = ((Get-Content /proc/self/status | Where-Object { $_ -like 'Cpus_allowed_list:*' }) -split ':', 2)[1].Trim()
    $cpus = @(foreach ($part in $allowed -split ',') {
            $bounds = @($part -split '-' | ForEach-Object { [int] $_ })
            $bounds[0]..$bounds[-1]
        })
    if ($cpus.Count -lt 2) { throw "pinning needs at least 2 CPUs; this process may use $($cpus.Count) ($allowed)" }
    $databaseCount = [Math]::Ceiling($cpus.Count / 2)
    [pscustomobject]@{
        Database = ($cpus[0..($databaseCount - 1)] -join ',')
        Proxy = ($cpus[$databaseCount..($cpus.Count - 1)] -join ',')
    }
}

# Pins a running process, every thread it has, and the processes it already forked to a CPU list (taskset); the
# threads and processes it starts later inherit the list. The parent first, so a child it forks meanwhile inherits.
function Set-BenchAffinity([int] $ProcessId, [string] $Cpus) {
    foreach ($id in @($ProcessId) + @(& pgrep -P $ProcessId | ForEach-Object { [int] $_ })) {
        & taskset -a -p -c $Cpus $id | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "taskset could not pin process $id to CPUs $Cpus" }
    }
}

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    if ($sorted.Count -eq 0) { return [double]::NaN }
    $mid = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2 -eq 1) { return $sorted[$mid] }
    return ($sorted[$mid - 1] + $sorted[$mid]) / 2
}

# Machine facts that explain a result: these machines are shared, so the load average is part of the record.
function Get-MachineFacts {
    $load = (Get-Content /proc/loadavg) -split ' '
    $commit = (& git -C $script:Root rev-parse --short HEAD 2>$null)
    [ordered]@{
        cores        = [Environment]::ProcessorCount
        load_average = @([double]$load[0], [double]$load[1], [double]$load[2])
        commit       = "$commit"
        dotnet       = "$(& dotnet --version)"
        kernel       = "$(& uname -r)"
    }
}

# Starts a proxy, under taskset on -Cpus when given, so the runtime sizes its threads for the CPUs it gets. taskset
# execs the program, so the process (and its id) is the program's own.
function Start-BenchProxy([string] $File, [string[]] $Arguments, [string] $Cpus, [string] $Stdout, [string] $Stderr) {
    $command = if ($Cpus) { @{ FilePath = 'taskset'; ArgumentList = @('-c', $Cpus, $File) + $Arguments } }
    else { @{ FilePath = $File; ArgumentList = $Arguments } }
    Start-Process @command -PassThru -RedirectStandardOutput $Stdout -RedirectStandardError $Stderr
}

function Stop-BenchProcess($Process, [int] $GraceMs = 15000) {
    if ($null -eq $Process -or $Process.HasExited) { return }
    & kill -TERM $Process.Id 2>$null
    if (-not $Process.WaitForExit($GraceMs)) { $Process.Kill($true) }
}
