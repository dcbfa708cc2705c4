#!/usr/bin/env bash
# Load benchmark: Citadel vs moto_server vs an empty endpoint on the same web stack (the floor),
# measured side by side in one run. Results go to docs/benchmarks.md by hand, with this command.
#   bench/run-load.sh [--clients 32] [--seconds 10] [--warmup 5] [--targets floor,citadel,citadel-unaudited,moto] [--ops Encrypt,Decrypt,GenerateDataKey]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet build bench/Citadel.LoadBench/Citadel.LoadBench.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
cd bench/Citadel.LoadBench/bin/Release/net10.0
exec dotnet Citadel.LoadBench.dll --seconds 10 --warmup 5 "$@"
