"""Asset checks that look at a stored asset (the blocking data checks run inside their assets)."""

from typing import Any

import dagster as dg

from workout_pipeline.jsonable import plain

BASELINE = "repeat_last"
MODEL = "graphsage"
# The headline error the model must beat (DESIGN.md: MAE of top-set weight on the test pairs),
# as `model.evaluate.evaluate_models` names it.
HEADLINE_METRIC = "load_mae_kg"


@dg.asset_check(
    asset="model_evaluation",
    description=f"GraphSAGE's held-out top-set weight MAE is lower than the `{BASELINE}` baseline's.",
)
def model_beats_repeat_last(model_evaluation: dict) -> dg.AssetCheckResult:
    """Warn (not block) when the model does not beat repeating the last session."""
    models = model_evaluation.get("models", {})
    model, baseline = (models.get(name, {}).get(HEADLINE_METRIC) for name in (MODEL, BASELINE))
    if model is None or baseline is None:
        return dg.AssetCheckResult(
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{HEADLINE_METRIC} of {MODEL!r} or {BASELINE!r} is missing",
        )
    metadata: dict[str, Any] = {
        "metric": HEADLINE_METRIC,
        MODEL: plain(model),
        BASELINE: plain(baseline),
        "improvement": plain(baseline - model),
    }
    return dg.AssetCheckResult(passed=model < baseline, severity=dg.AssetCheckSeverity.WARN, metadata=metadata)
