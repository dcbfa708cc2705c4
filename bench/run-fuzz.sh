#!/usr/bin/env bash
# Long run of the protocol fuzz harness (tests/Citadel.Server.Tests/Fuzzing, docs/fuzzing.md): the same cases as the
# test suite's short run, from another seed, for longer. The summary (cases, time, failures grouped by class, each
# with its first reproducing request and the replay command) is printed and kept in /tmp/citadel-fuzz-run-SEED/;
# every failing case, whole, is written to a directory under /tmp that the summary names.
#   bench/run-fuzz.sh [--seed 20261203] [--cases N] [--duration 300] [--https]
# --cases and --duration both bound the run; the first reached stops it (default: 300 seconds, no case limit;
# --duration 0: no time limit).
# --https fuzzes the server over TLS instead of plain HTTP. Replay one case: CITADEL_FUZZ_SEED=S CITADEL_FUZZ_ONLY=I.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seed=20261203
cases=""
duration=300
test=OverPlainHttpEveryAnswerHasItsProtocolsShape
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed="$2"; shift 2 ;;
    --cases) cases="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --https) test=OverHttpsEveryAnswerHasItsProtocolsShape; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
dotnet build tests/Citadel.Server.Tests/Citadel.Server.Tests.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
out="${TMPDIR:-/tmp}/citadel-fuzz-run-$seed"
mkdir -p "$out"
report="$out/summary.txt"
: > "$report"
export CITADEL_FUZZ_SEED="$seed" CITADEL_FUZZ_REPORT="$report"
if [ -n "$cases" ]; then export CITADEL_FUZZ_CASES="$cases"; fi
if [ -n "$duration" ] && [ "$duration" != 0 ]; then export CITADEL_FUZZ_DURATION="$duration"; fi
# The test host (and the server in it) may not take more than 3 GiB: a runaway allocation fails the run, not the machine.
export DOTNET_GCHeapHardLimit=0xC0000000
status=0
dotnet test tests/Citadel.Server.Tests/Citadel.Server.Tests.csproj -c Release --no-build --nologo \
  --filter "FullyQualifiedName~Fuzzing.ProtocolFuzzTests.$test" > "$out/test.log" 2>&1 || status=$?
cat "$report"
if [ "$status" -eq 0 ]; then echo "no failures"; else echo "failures found (exit $status); the test log is $out/test.log"; fi
exit "$status"
