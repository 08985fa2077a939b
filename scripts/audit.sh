#!/usr/bin/env bash
# Dependency audit: known vulnerabilities (PyPI advisory data, OSV) in the
# pinned requirements.txt, with pip-audit.
#
# pip-audit cannot live in the bot's venv (it needs a newer `packaging` than
# rasa 3.6 pins), so it gets a throwaway venv of its own ($AUDIT_VENV,
# default .run/audit-venv). Needs network access to PyPI only. Not part of
# scripts/test.sh; run it before a release and record every finding and the
# decision about it in docs/security.md ("Dependency audit").
#
#   bash scripts/audit.sh            # table on stdout, JSON in .run/audit.json
#   AUDIT_ARGS="--ignore-vuln GHSA-xxxx" bash scripts/audit.sh
#
# Exit status: 0 when nothing is found, 1 when pip-audit found something,
# 3 when packages could not be audited (no advisory data reachable).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
mkdir -p "$RUN_DIR"

PIP_AUDIT_VERSION="${PIP_AUDIT_VERSION:-2.10.1}"
AUDIT_VENV="${AUDIT_VENV:-$RUN_DIR/audit-venv}"

if [ ! -x "$AUDIT_VENV/bin/pip-audit" ] \
    || ! "$AUDIT_VENV/bin/pip-audit" --version 2>/dev/null | grep -q " $PIP_AUDIT_VERSION\$"; then
    python=$(find_python310)
    log "Creating the audit venv $AUDIT_VENV (pip-audit $PIP_AUDIT_VERSION)"
    "$python" -m venv --clear "$AUDIT_VENV"
    "$AUDIT_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "pip-audit==$PIP_AUDIT_VERSION" \
        || die "Could not install pip-audit into $AUDIT_VENV; check the network access to PyPI."
fi

log "Auditing requirements.txt (every pin, no dependency resolution)"
# requirements.txt is a full `pip freeze`, so --no-deps audits exactly what
# the bot installs; --disable-pip skips building a resolver venv.
status=0
# shellcheck disable=SC2086
"$AUDIT_VENV/bin/pip-audit" --requirement requirements.txt --no-deps --disable-pip \
    --progress-spinner off --desc on --aliases on \
    --format json --output "$RUN_DIR/audit.json" ${AUDIT_ARGS:-} || status=$?
if "$AUDIT_VENV/bin/python" - "$RUN_DIR/audit.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
rows = [
    (dep["name"], dep["version"], vuln["id"], ",".join(vuln.get("aliases") or []),
     ",".join(vuln.get("fix_versions") or []) or "-")
    for dep in data.get("dependencies", [])
    for vuln in dep.get("vulns", [])
]
print(f"{len(rows)} known vulnerabilities in {len({r[0] for r in rows})} packages")
for name, version, vid, aliases, fix in sorted(rows):
    print(f"  {name}=={version}  {vid}  ({aliases})  fixed in: {fix}")
deps = data.get("dependencies", [])
skipped = [d for d in deps if d.get("skip_reason")]
for dep in skipped[:10]:
    print(f"  not audited: {dep['name']}: {dep['skip_reason']}")
if skipped:
    print(
        f"WARNING: {len(skipped)} of {len(deps)} packages could not be audited. "
        "pip-audit reads https://pypi.org/pypi/<name>/<version>/json; a PyPI "
        "mirror or proxy without that API yields no advisory data. Run this "
        "script where pypi.org is reachable directly."
    )
    sys.exit(3)
PY
then
    :
else
    status=$?
    [ "$status" = 3 ] && exit 3
fi
log "Full report: $RUN_DIR/audit.json. Record each finding in docs/security.md."
exit "$status"
