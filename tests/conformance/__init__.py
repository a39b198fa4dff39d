"""Elasticsearch csv-spec conformance: reader, comparator, runner."""
