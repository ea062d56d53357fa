"""JSON Schemas of the playbook and data file formats, for editors and review."""

from __future__ import annotations

import json

from pydantic import BaseModel

from ehplan.drill import Scenario
from ehplan.playbook.models import Playbook
from ehplan.report.acrossformats import SummaryJson
from ehplan.report.reportjson import ReportJson
from ehplan.sitedata.models import CalendarFile, ContactsFile, PlanInfo, SuppliesFile

SCHEMAS: dict[str, type[BaseModel]] = {
    "playbook.schema.json": Playbook,
    "contacts.schema.json": ContactsFile,
    "supplies.schema.json": SuppliesFile,
    "calendar.schema.json": CalendarFile,
    "scenario.schema.json": Scenario,
    "plan.schema.json": PlanInfo,
    "report.schema.json": ReportJson,
    "summary.schema.json": SummaryJson,
}


def render_schemas() -> dict[str, str]:
    """Each schema file's name and its exact text (stable, so it can be committed)."""
    rendered = {}
    for name, model in SCHEMAS.items():
        schema = model.model_json_schema(by_alias=True)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = name
        rendered[name] = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return rendered
