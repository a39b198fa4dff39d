"""esqlsh: an ES|QL shell that is its own cross-cluster coordinator."""

__version__ = "0.1.0"
