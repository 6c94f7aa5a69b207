"""Production settings pass Django's deployment checklist (reliability.md T-DEPLOY-1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PRODUCTION_ENV = {
    "KAOHE_PRODUCTION": "1",
    "KAOHE_SECRET_KEY": "test-only-3f8a9c1e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f",
    "KAOHE_ALLOWED_HOSTS": "kaohe.example.edu.cn",
    "DATABASE_URL": "sqlite:///:memory:",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KAOHE_", "DATABASE_URL", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "KAOHE_SECRET_KEY": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "KAOHE_SECRET_KEY" in result.stderr


def test_production_refuses_the_demo_people():
    result = run_manage("load_demo", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "production" in result.stderr
