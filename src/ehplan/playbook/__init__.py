"""Playbooks: the schema, the YAML loader and the graph checks."""
