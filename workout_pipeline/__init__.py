"""workout-pipeline: training logs in, a learned progression model and next week's program out."""

__version__ = "0.1.0"
