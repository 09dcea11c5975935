"""Ingestion steps: sources, parsing, pricing, checks and the pipeline that ties them together."""
