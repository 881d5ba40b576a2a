#!/usr/bin/env bash
# Validates tenantwall's SARIF output against the OASIS SARIF 2.1.0 JSON schema with Python's jsonschema.
# The schema is not shipped here: pass its path (sarif-schema-2.1.0.json from the SARIF specification).
# Usage: scripts/validate-sarif.sh SCHEMA [SARIF-FILE]   (default: Tests/PolicyGenTests/Golden/audit.sarif)
set -euo pipefail
cd "$(dirname "$0")/.."
schema=${1:?usage: scripts/validate-sarif.sh SCHEMA [SARIF-FILE]}; sarif=${2:-Tests/PolicyGenTests/Golden/audit.sarif}
python3 -c 'import jsonschema' 2>/dev/null || pip install -q jsonschema
python3 - "$schema" "$sarif" <<'PY'
import json, sys, jsonschema
schema, doc = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
errors = list(jsonschema.Draft7Validator(schema).iter_errors(doc))
for e in errors[:20]: print(f"{'/'.join(map(str, e.path))}: {e.message}")
print(f"{sys.argv[2]}: {len(errors)} schema error(s), {sum(len(r.get('results', [])) for r in doc['runs'])} result(s)")
sys.exit(1 if errors else 0)
PY
