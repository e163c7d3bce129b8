"""The OpenAPI schema: valid OpenAPI 3, every API route in it, docs served offline."""

from __future__ import annotations

import pytest
import yaml
from django.urls import URLPattern, URLResolver, get_resolver
from openapi_spec_validator import validate

from tests import factories

pytestmark = pytest.mark.django_db


def api_routes() -> set[str]:
    """Every ``/api/v1/`` route, written as the schema writes paths (``{reference}``)."""
    import re

    found = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.add(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "/")
    return {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace("{pk}", "{id}")
        for route in found
        if route.startswith("/api/v1/")
    }


@pytest.fixture
def schema(client):
    client.force_login(factories.make_superuser())
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_is_valid_openapi_3(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_the_schema_covers_every_endpoint(schema):
    routes = api_routes()
    assert len(routes) >= 10
    assert routes == set(schema["paths"])


def test_the_writes_document_their_idempotency_key_and_refusals(schema):
    transition = schema["paths"]["/api/v1/cases/{reference}/transitions/{name}/"]["post"]
    assert {"400", "403", "404", "409"} <= set(transition["responses"])
    assert "Idempotency-Key" in {p["name"] for p in transition["parameters"]}


def test_the_docs_use_our_own_static_files(client):
    client.force_login(factories.make_superuser())
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()


def test_the_schema_builds_without_warnings(tmp_path):
    """drf-spectacular's own check: every view, serializer and parameter described."""
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")
