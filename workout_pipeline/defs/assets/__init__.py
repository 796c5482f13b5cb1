"""The asset graph, one module per group: ingest, catalog, model, programs."""
