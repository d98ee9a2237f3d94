"""JSON Schemas generated from the models (plan files, the catalogue, results files, the reorganisation table)."""

from __future__ import annotations

import json
from typing import Any

from plancheck.model import Catalogue, Plan
from plancheck.model.admin import Reorganisation
from plancheck.model.results import ResultsFile

SCHEMA_FILES: dict[str, Any] = {
    "plan.schema.json": Plan,
    "catalogue.schema.json": Catalogue,
    "results.schema.json": ResultsFile,
    "reorganisation.schema.json": Reorganisation,
}


def schema_text(name: str) -> str:
    model = SCHEMA_FILES[name]
    schema = model.model_json_schema(mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://plancheck.invalid/schemas/{name}",
        **schema,
    }
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
