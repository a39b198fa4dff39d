"""Function declarations, one module per family (see ``esqlsh.analysis.registry``)."""
