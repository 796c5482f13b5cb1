"""The Dagster layer: assets, checks, sensors, schedules, resources and IO managers.

A thin wiring layer over the plain domain modules (ingest, catalog, model, program, reports):
no domain logic lives here, and nothing heavy (torch, great_expectations, pulp, matplotlib) is
imported until an asset runs.
"""
