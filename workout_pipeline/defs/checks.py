"""Asset checks that look at a stored asset (the blocking data checks run inside their assets)."""

from typing import Any

import dagster as dg

from workout_pipeline.defs.metadata import plain

BASELINE = "repeat_last"
MODEL = "graphsage"
# The headline error the model must beat (DESIGN.md: MAE of top-set weight on the test pairs).
HEADLINE_METRIC_CANDIDATES: tuple[str, ...] = ("load_mae_kg", "mae_weight_kg", "mae_weight", "weight_mae", "weight_kg_mae")


def find_model_metric(metrics: dict, model: str) -> tuple[str, float] | None:
    """(metric name, value) of the headline weight MAE of `model` in an evaluation dict."""
    for container in (metrics.get("models"), metrics.get("pooled"), metrics):
        if not isinstance(container, dict) or not isinstance(container.get(model), dict):
            continue
        values = container[model]
        for name in HEADLINE_METRIC_CANDIDATES:
            if values.get(name) is not None:
                return name, float(values[name])
    return None


@dg.asset_check(
    asset="model_evaluation",
    description=f"GraphSAGE's held-out top-set weight MAE is lower than the `{BASELINE}` baseline's.",
)
def model_beats_repeat_last(model_evaluation: dict) -> dg.AssetCheckResult:
    """Warn (not block) when the model does not beat repeating the last session."""
    model = find_model_metric(model_evaluation, MODEL)
    baseline = find_model_metric(model_evaluation, BASELINE)
    if model is None or baseline is None:
        return dg.AssetCheckResult(
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"metrics for {MODEL!r} or {BASELINE!r} are missing",
        )
    metadata: dict[str, Any] = {
        "metric": model[0],
        MODEL: plain(model[1]),
        BASELINE: plain(baseline[1]),
        "improvement": plain(baseline[1] - model[1]),
    }
    return dg.AssetCheckResult(passed=model[1] < baseline[1], severity=dg.AssetCheckSeverity.WARN, metadata=metadata)
