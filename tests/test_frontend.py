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


def test_the_installed_widget_packages_are_the_ones_the_front_end_was_built_for():
    """Pinned together (issue 26): the Python side (ipywidgets' models, anywidget) and the JavaScript side (the
    @jupyter-widgets/* packages bundled here) must be one release. frontend/package.json names the Python versions
    the front end was built and tested with; the @jupyter-widgets/* versions must be those the installed
    ipywidgets ships in its own JupyterLab extension. An upgrade of either side fails here until the other follows
    (update package.json, `npm install`, rebuild, run the browser tests)."""
    import importlib.metadata
    import json

    package = json.loads((FRONTEND / "package.json").read_text(encoding="utf-8"))
    for name, version in package["mhkurs"]["builtFor"].items():
        installed = importlib.metadata.version(name)
        assert installed == version, f"{name} {installed} is installed, the front end was built for {version}"
    import jupyterlab_widgets

    shipped_file = (Path(jupyterlab_widgets.__file__).parent / "labextension" / "static" / "third-party-licenses.json")
    if not shipped_file.exists():  # installed as a data file (share/jupyter/labextensions)
        import sys

        shipped_file = (Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter-widgets" /
                        "jupyterlab-manager" / "static" / "third-party-licenses.json")
    shipped = {p["name"]: p["versionInfo"] for p in json.loads(shipped_file.read_text(encoding="utf-8"))["packages"]}
    ours = {k: v for k, v in package["dependencies"].items() if k.startswith("@jupyter-widgets/")}
    assert ours, package["dependencies"]
    for name, version in ours.items():
        assert shipped.get(name) == version, f"{name}: the front end bundles {version}, ipywidgets ships {shipped.get(name)}"
