"""The deployment files: compose names the promised services; settings refuse bad config."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_parses_and_names_the_services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no health check"
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert services["beat"]["deploy"]["replicas"] == 1


def test_compose_keeps_documents_on_a_named_volume_every_app_service_shares():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "media" in compose["volumes"]
    for name in ("web", "worker", "beat"):
        service = compose["services"][name]
        assert "media:/app/var/media" in service["volumes"], name
        assert service["environment"]["MEDIA_ROOT"] == "/app/var/media", name
    # The image creates the directory for the unprivileged user the services run as.
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "/app/var/media" in dockerfile and "bin/system-packages" in dockerfile


def test_files_go_to_an_s3_bucket_when_the_environment_says_so():
    script = (
        "import django; django.setup(); from django.core.files.storage import storages; "
        "s = storages['default']; print(type(s).__name__, s.bucket_name, s.location, s.default_acl)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "protection_center.settings",
        "S3_BUCKET": "pc-documents",
        "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["S3Storage", "pc-documents", "documents", "private"]
    env.pop("S3_BUCKET")
    env["MEDIA_ROOT"] = "/srv/pc-media"
    script = (
        "import django; django.setup(); from django.core.files.storage import storages; "
        "s = storages['default']; print(type(s).__name__, s.location)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["FileSystemStorage", "/srv/pc-media"]


def test_env_example_documents_every_variable_the_settings_read():
    settings_text = (ROOT / "protection_center" / "settings.py").read_text()
    example = (ROOT / ".env.example").read_text()
    import re

    read = set(
        re.findall(
            r'(?:environ(?:\.get)?\(|env_bool\(|env_list\(|environ\[)"([A-Z_]+)"', settings_text
        )
    )
    missing = {name for name in read if name not in example}
    assert read and not missing, f"not in .env.example: {sorted(missing)}"


def _settings_run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "protection_center.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings_run({"DJANGO_ENV": "production"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_starts_with_a_secret_key():
    result = _settings_run({"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_embedded_defaults_use_sqlite_and_a_filesystem_queue():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)",
        ],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}
            },
            "DJANGO_SETTINGS_MODULE": "protection_center.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://localhost/"]


@pytest.mark.django_db
def test_health_check_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_production_static_files_build_their_manifest(tmp_path):
    """The Docker image collects static files with the production (manifest) storage."""
    assert "DJANGO_ENV=production" in (ROOT / "Dockerfile").read_text()
    script = (
        "import django; from django.conf import settings; django.setup(); "
        f"settings.STATIC_ROOT = {str(tmp_path)!r}; "
        "from django.core.management import call_command; "
        "call_command('collectstatic', interactive=False, verbosity=0)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_SETTINGS_MODULE="protection_center.settings",
    )
    built = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/chart.js/*.js"))
    # The API docs' Swagger UI is collected; the sidecar's unused Redoc is not.
    assert list(tmp_path.glob("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.*.js"))
    assert not list(tmp_path.glob("drf_spectacular_sidecar/redoc/**/*"))


def test_embedded_run_seeds_and_sweeps_on_sqlite(tmp_path):
    """bin/run's database steps on SQLite: migrate, the demo data, a sweep that flags."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
        "DJANGO_SETTINGS_MODULE": "protection_center.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        "CELERY_BROKER_URL": "memory://localhost/",  # the wake-ups go nowhere
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "-v0"], ["seed_demo", "--demo-cases", "40"]):
        result = subprocess.run(
            manage + command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
        )
        assert result.returncode == 0, result.stderr
    assert "Deadline sweep:" in result.stdout
    assert "overdue" in result.stdout
