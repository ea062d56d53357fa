"""The command line, one module per concern: `group` (the `ehplan` group and its
entry point), `common` (options declared once, failures, loading), `data`
(validate, schema, contacts, supplies), `logs` (verify, report, replay),
`drill` and `paper` (cards, forms, graph). The app itself starts from
`ehplan.cli_app` without importing click."""

from __future__ import annotations

from ehplan.cli.group import main, run

__all__ = ["main", "run"]
