"""deploy/compose.yaml is a valid Compose file (the Compose Specification's JSON schema,
vendored in deploy/compose-spec/) with the services, health checks and volumes issue 17 asks
for, and every variable it needs is in deploy/env.example."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SCHEMA = json.loads((DEPLOY / "compose-spec" / "compose-spec.json").read_text())


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _errors(document: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def test_the_vendored_schema_is_a_valid_json_schema():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA["title"] == "Compose Specification"


def test_compose_file_is_valid_against_the_compose_specification(compose):
    assert _errors(compose) == []


def test_the_schema_rejects_a_broken_compose_file(compose):
    broken = copy.deepcopy(compose)
    broken["services"]["web"]["healthcheck"]["interval"] = 30  # a duration is a string
    broken["services"]["worker"]["restart_policy"] = "always"  # no such key
    errors = _errors(broken)
    assert any("services/web/healthcheck/interval" in error for error in errors), errors
    assert any("restart_policy" in error for error in errors), errors


def test_every_service_of_the_deployment_is_there_with_its_health_check(compose):
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "opensearch", "minio"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")
    for name in ("web", "worker", "postgres", "redis", "opensearch", "minio"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("postgres", "redis", "opensearch", "minio"):
        volume = services[name]["volumes"][0].split(":")[0]
        assert volume in compose["volumes"], name
    web_needs = services["web"]["depends_on"]
    assert {"postgres", "redis", "opensearch"} <= set(web_needs)
    assert all(need["condition"].startswith("service_") for need in web_needs.values())


def test_every_variable_the_compose_file_needs_is_in_the_env_example():
    text = (DEPLOY / "compose.yaml").read_text()
    needed = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    example = (DEPLOY / "env.example").read_text()
    documented = set(re.findall(r"^#? ?([A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert needed and needed <= documented, needed - documented
