"""The code location with the Celery executor (`dagster-celery`): every step is a Celery task.

Same assets, jobs, sensors and resources as `workout_pipeline.definitions` (folders from the
environment, read when this module is imported); only the executor differs. Workers and the
process that starts runs import it by name; the training step goes to the `gpu` queue through
its op tag (`TRAINING_OP_TAGS`), every other step to the default `dagster` queue. Needs the
`scale` extra (dagster-celery). See docs/deploy.md.
"""

import dagster as dg
from dagster_celery import celery_executor

from workout_pipeline.definitions import build_definitions

defs = dg.Definitions.merge(build_definitions(), dg.Definitions(executor=celery_executor))
