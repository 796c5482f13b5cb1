"""Declarative automation conditions shared by the downstream assets."""

import dagster as dg

_A = dg.AutomationCondition

# A parent whose blocking check (e.g. no leakage, GX expectations) failed must not feed children.
_UPSTREAM_BLOCKED = _A.any_deps_match(_A.any_checks_match(_A.check_failed(), blocking_only=True))

# Re-materialise when a parent updates (or the partition is new), never past a failed blocking check.
EAGER_UNLESS_BLOCKED = (_A.eager() & ~_UPSTREAM_BLOCKED).with_label("eager unless an upstream blocking check failed")

# Assets without parents (the catalog): build once when missing, e.g. on a fresh deployment.
WHEN_MISSING = (_A.missing().since_last_handled() & ~_A.in_progress()).with_label("when missing")

# Unpartitioned children of the per-file ingest assets: run when any file's sets update even if
# another inbox file never ingested (one broken export must not stall every athlete).
ANY_FILE_UPDATED = (_A.eager().without(~_A.any_deps_missing()) & ~_UPSTREAM_BLOCKED).with_label(
    "any inbox file updated, unless an upstream blocking check failed"
)
