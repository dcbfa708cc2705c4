#!/usr/bin/env bash
# Runs every test of Citadel, installing what the tests need first:
#   - Debian's AWS CLI v2 (/usr/bin/aws, package awscli), driven by the compatibility tests;
#   - NuGet packages (dotnet restore).
# The AWS CLI v1, boto3 and moto come with the machine's Python (python3 -m awscli, import boto3,
# python3 -m moto.server: the local S3 service the S3 blob-store backend's tests run).
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

# moto: the S3 backend's tests start `python3 -m moto.server` (or $CITADEL_MOTO_SERVER) and fail, never skip,
# without it. PyPI is out of reach here: try pip's local wheel folder, then Debian's package.
has_moto() { [ -n "${CITADEL_MOTO_SERVER:-}" ] && [ -x "$CITADEL_MOTO_SERVER" ] || python3 -c "import moto.server" 2>/dev/null; }
if ! has_moto; then
  echo "python3 has no moto; trying to install it"
  python3 -m pip install --quiet --no-index "moto[server]" >/dev/null 2>&1 || true
  if ! has_moto; then
    as_root apt-get update -qq
    if apt-cache show python3-moto >/dev/null 2>&1; then
      export DEBIAN_FRONTEND=noninteractive
      as_root apt-get install -y -qq --no-install-recommends python3-moto >/dev/null
      # Debian's moto belongs to /usr/bin/python3, which may not be the python3 on PATH.
      if [ -x /usr/bin/moto_server ]; then export CITADEL_MOTO_SERVER=/usr/bin/moto_server; fi
    fi
  fi
  if ! has_moto; then
    echo "python3 must have moto installed (import moto.server), or CITADEL_MOTO_SERVER must name a moto_server;" \
      "the S3 blob-store backend's tests run it as a local S3 service." >&2
    exit 1
  fi
fi

dotnet restore Citadel.slnx --nologo -v quiet
dotnet build Citadel.slnx -c Release --no-restore --nologo -v quiet -clp:ErrorsOnly
dotnet format Citadel.slnx --verify-no-changes --no-restore
dotnet test Citadel.slnx -c Release --no-build --nologo "$@"
