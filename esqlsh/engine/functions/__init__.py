"""Function implementations on Polars, one module per family, registered with
``esqlsh.engine.compiled.implements`` under the registry's names."""
