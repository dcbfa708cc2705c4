#!/usr/bin/env bash
# Runs every test of Citadel, installing what the tests need first:
#   - Debian's AWS CLI v2 (/usr/bin/aws, package awscli), driven by the compatibility tests;
#   - NuGet packages (dotnet restore).
# The AWS CLI v1 and boto3 come with the machine's Python (python3 -m awscli, import boto3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
[ -x /usr/bin/aws ] || missing+=(awscli)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! python3 -c "import boto3, awscli" 2>/dev/null; then
  echo "python3 must have boto3 and the AWS CLI v1 (awscli) installed; the compatibility tests drive them." >&2
  exit 1
fi

dotnet restore Citadel.slnx --nologo -v quiet
dotnet build Citadel.slnx -c Release --no-restore --nologo -v quiet -clp:ErrorsOnly
dotnet format Citadel.slnx --verify-no-changes --no-restore
dotnet test Citadel.slnx -c Release --no-build --nologo "$@"
