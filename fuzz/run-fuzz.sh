#!/usr/bin/env bash
# Coverage-guided fuzzing of the PostgreSQL decoders: SharpFuzz instruments Gateway.Protocols.Postgres.dll,
# AFL++ (Debian's afl++) drives each target for a bounded time, starting from the committed corpus.
#
#   fuzz/run-fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      default: 60 s each, every target
#   targets: frontend backend startup upstream-startup
#
# Installs what it needs: afl++ from Debian (as root, via apt-get) and the sharpfuzz tool from the repo's tool
# manifest. Findings go to artifacts/fuzz/findings/TARGET/default/{crashes,hangs}; the script exits 1 when a
# target crashed. New corpus entries worth keeping: copy from .../default/queue into fuzz/corpus/TARGET (the test
# suite replays that directory on every run: Gateway.Tests/Security/FuzzCorpusReplayTests.cs).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(frontend backend startup upstream-startup)
fi

if ! command -v afl-fuzz >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends afl++ >/dev/null
  else
    echo "run-fuzz: afl-fuzz is missing; on Debian/Ubuntu: sudo apt-get install afl++" >&2
    exit 1
  fi
fi

cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null

out="$root/artifacts/fuzz"
rm -rf "$out/bin"
dotnet publish fuzz/Gateway.Fuzz -c Release -o "$out/bin" -nologo -clp:ErrorsOnly >/dev/null
# Only the protocol library is instrumented: coverage of the code under test, not of the runtime.
dotnet sharpfuzz "$out/bin/Gateway.Protocols.Postgres.dll"

# The target is `dotnet`, not an AFL-compiled binary; SharpFuzz speaks the forkserver protocol from managed code.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_MAP_SIZE=65536 AFL_FORKSRV_INIT_TMOUT=30000

status=0
for target in "${targets[@]}"; do
  findings="$out/findings/$target"
  rm -rf "$findings"
  mkdir -p "$out/findings"
  echo "run-fuzz: $target for ${seconds}s"
  afl-fuzz -i "fuzz/corpus/$target" -o "$findings" -V "$seconds" -t 5000 -m none \
    -- dotnet "$out/bin/Gateway.Fuzz.dll" "$target" >"$out/$target.log" 2>&1 || {
      echo "run-fuzz: afl-fuzz failed for $target, see $out/$target.log" >&2
      tail -20 "$out/$target.log" >&2
      status=1
      continue
    }
  stats="$findings/default/fuzzer_stats"
  execs=$(awk -F' *: *' '$1=="execs_done"{print $2}' "$stats")
  paths=$(awk -F' *: *' '$1=="corpus_count"{print $2}' "$stats")
  crashes=$(awk -F' *: *' '$1=="saved_crashes"{print $2}' "$stats")
  hangs=$(awk -F' *: *' '$1=="saved_hangs"{print $2}' "$stats")
  echo "run-fuzz: $target: $execs executions, $paths corpus entries, $crashes crashes, $hangs hangs"
  if [ "${crashes:-0}" != 0 ]; then
    status=1
  fi
done
exit $status
