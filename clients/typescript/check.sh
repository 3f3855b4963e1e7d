#!/usr/bin/env bash
# The OpenAPI document is a contract a frontend compiles against: write it, generate TypeScript
# types from it (openapi-typescript) and type-check example.ts, a small consumer, with
# `tsc --strict`. Any warning in the document or type error fails. Needs Node 20+ and npm;
# the Python side needs no database. Usage: bash clients/typescript/check.sh (or make typescript).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON_BIN:-$root/.venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
"$python" manage.py spectacular --file "$work/openapi.yaml" --validate --fail-on-warn

cd "$here"
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
mkdir -p generated
npx --no-install openapi-typescript "$work/openapi.yaml" --output generated/openapi.d.ts
npx --no-install tsc --noEmit -p .
echo "clients/typescript: the generated types and the example consumer type-check."
