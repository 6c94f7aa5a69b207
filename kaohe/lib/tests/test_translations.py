"""Every user-facing string has a Chinese translation that is not fuzzy."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CATALOG = Path("kaohe/locale/zh_Hans/LC_MESSAGES/django.po")


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed")
def test_the_chinese_catalog_is_complete(tmp_path):
    # Extract the strings of a copy of the code, merging the committed catalog, as makemessages does.
    shutil.copytree(ROOT / "kaohe", tmp_path / "kaohe", ignore=shutil.ignore_patterns("__pycache__", "vendor", "*.mo"))
    shutil.copy(ROOT / "manage.py", tmp_path)
    python = shutil.which("python", path=str(Path(__import__("sys").executable).parent)) or "python"
    subprocess.run(
        [python, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location", "-v", "0"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )
    merged = tmp_path / CATALOG
    untranslated = subprocess.run(["msgattrib", "--untranslated", str(merged)], capture_output=True, text=True)
    fuzzy = subprocess.run(["msgattrib", "--only-fuzzy", str(merged)], capture_output=True, text=True)
    assert untranslated.stdout == "", "strings without a Chinese translation:\n" + untranslated.stdout
    assert fuzzy.stdout == "", "fuzzy translations:\n" + fuzzy.stdout


def test_the_catalog_compiles(tmp_path):
    if not shutil.which("msgfmt"):
        pytest.skip("GNU gettext is not installed")
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(ROOT / CATALOG)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
