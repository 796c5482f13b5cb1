"""Jobs the sensor, the schedule and the demo launch (one per partitioning of the graph).

Partitioning is inferred from the selected assets: `ingest_job` runs per inbox file,
`program_job` per athlete, `model_job` is unpartitioned.
"""

import dagster as dg

ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.groups("ingest"),
    description="Snapshot, parse and validate one inbox file (one partition per file).",
)

model_job = dg.define_asset_job(
    "model_job",
    selection=dg.AssetSelection.groups("catalog", "model"),
    description="Catalog, features, training graph, models, evaluation and recommendations for all athletes.",
)

program_job = dg.define_asset_job(
    "program_job",
    selection=dg.AssetSelection.groups("programs"),
    description="Next week's program and its report for one athlete (one partition per athlete).",
)
