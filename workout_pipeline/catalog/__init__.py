"""Exercise catalog: the built-in catalog, external catalog import, and name resolution."""
