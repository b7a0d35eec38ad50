"""The course pages' widget front end is committed built (share/jupyter/voila/templates/mhkurs/static/), so that
`scripts/serve` needs only Python. Like `mhkurs assessments --check`: rebuilding it from frontend/ with the pinned
esbuild (frontend/package-lock.json) must give the same files, byte for byte."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mhkurs.bank.loader import REPO_ROOT

FRONTEND = REPO_ROOT / "frontend"
STATIC = REPO_ROOT / "share" / "jupyter" / "voila" / "templates" / "mhkurs" / "static"


def built_files(folder: Path) -> dict[str, bytes]:
    names = ["mhkurs-widgets.js", "mhkurs-widgets.css", "mhkurs-widgets.LICENSES.txt"] + [f"chunks/{p.name}" for p in (folder / "chunks").glob("*")]
    return {name: (folder / name).read_bytes() for name in sorted(names)}


def test_the_committed_front_end_is_what_frontend_builds(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to rebuild the front end (scripts/test installs it)")
    if not (FRONTEND / "node_modules" / "esbuild").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=FRONTEND, check=True,
                       timeout=600)
    subprocess.run([node, "build.mjs", "--out", str(tmp_path)], cwd=FRONTEND, check=True, timeout=300)
    rebuilt, committed = built_files(tmp_path), built_files(STATIC)
    assert sorted(rebuilt) == sorted(committed), "run `node build.mjs` in frontend/ and commit the static folder"
    for name, data in rebuilt.items():
        assert committed[name] == data, f"{name} differs from the build of frontend/: run `node build.mjs` in frontend/"
