#!/usr/bin/env bash
# S3 benchmark: PUT and GET throughput of Citadel (in process, real listener on loopback) for SSE-S3, SSE-KMS,
# SSE-KMS with bucket keys and SSE-C, against the same request path with a plain-copy cipher (the floor) and
# against moto_server, side by side in one run, with `openssl speed` as the AES-GCM reference.
# Results go to docs/benchmarks.md by hand, with this command.
#   bench/run-s3.sh [--targets floor,sse-s3,sse-kms,sse-kms-bk,sse-c,moto] [--sizes 4k,1m,256m]
#                   [--count-4k 2000] [--count-1m 200] [--count-256m 4] [--clients 4] [--large-clients 2]
#                   [--rounds 3] [--payload unsigned|sha256] [--backend local|moto] [--no-openssl]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet build bench/Citadel.S3Bench/Citadel.S3Bench.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
cd bench/Citadel.S3Bench/bin/Release/net10.0
exec dotnet Citadel.S3Bench.dll "$@"
