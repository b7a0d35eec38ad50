"""``mhkurs scorm``: a SCORM 1.2 package an administrator uploads to Moodle or Canvas.

The package is one SCO: ``imsmanifest.xml`` (SCORM 1.2 Content Aggregation Model: IMS Content
Packaging 1.1.2 with the ADL 1.2 extensions) and a launch page (``index.html``, ``mhkurs-scorm.js``)
that frames the hosted course and carries the learner's record between it and the LMS's SCORM API
(:mod:`mhkurs.record.lms`, :mod:`mhkurs.record.sync`). It holds the course's address and nothing
else: no learner data, no secret.

:func:`check` applies the content-packaging rules to a built package (the tests use it).
"""

from __future__ import annotations

import html
import ipaddress
import re
import zipfile
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from xml.etree import ElementTree as ET

TITLE = "Menneskehandel – kurs i identifisering av mulige ofre"
LANDING = "voila/render/course/index.ipynb"
FILES = ("index.html", "mhkurs-scorm.js")

CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{ident}" version="{version}"
          xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="mhkurs-org">
    <organization identifier="mhkurs-org" structure="hierarchical">
      <title>{title}</title>
      <item identifier="mhkurs-item" identifierref="mhkurs-sco" isvisible="true">
        <title>{title}</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="mhkurs-sco" type="webcontent" adlcp:scormtype="sco" href="index.html">
{files}
    </resource>
  </resources>
</manifest>
"""


class PackageError(ValueError):
    """A course address or a package that is not usable; the message says what to do."""


def course_url(url: str) -> str:
    """The address the launch page opens: the hosted course's front page.

    ``https://kurs.example.no/`` (where ``mhkurs serve`` answers) becomes its front page; a full page
    address is kept. An LMS is served over https, and a browser does not show an http page inside an
    https page, so http is accepted for loopback addresses only (tests, trials on one machine).
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PackageError(f"--course-url must be the course's web address (https://…), not {url!r}")
    if parts.username or parts.password:
        raise PackageError("--course-url must not contain a user name or password: the package holds no secret")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise PackageError(f"--course-url must use https (an LMS served over https cannot show an http page): {url!r}")
    path = parts.path or "/"
    if path.endswith("/"):
        path += LANDING
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def manifest(version: str) -> str:
    files = "\n".join(f'      <file href="{f}"/>' for f in FILES)
    return MANIFEST.format(ident="no.mhkurs.menneskehandel", version=html.escape(version[:20]),
                           title=html.escape(TITLE), files=files)


def launch_page(url: str) -> str:
    text = (resources.files(__package__) / "package" / "index.html").read_text(encoding="utf-8")
    return text.replace("{{TITLE}}", html.escape(TITLE)).replace("{{COURSE_URL}}", html.escape(url, quote=True))


def build(url: str, out: str | Path, version: str = "1") -> Path:
    """Write the package for the course at ``url`` to ``out`` (a .zip file); returns its path."""
    target = course_url(url)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    script = (resources.files(__package__) / "package" / "mhkurs-scorm.js").read_text(encoding="utf-8")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("imsmanifest.xml", manifest(version)), ("index.html", launch_page(target)),
                           ("mhkurs-scorm.js", script)):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))  # the same package for the same course
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, text.encode("utf-8"))
    problems = check(out)
    if problems:
        raise PackageError("the package breaks the SCORM 1.2 packaging rules: " + "; ".join(problems))
    return out


NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")


def check(path: str | Path) -> list[str]:
    """Problems of a SCORM 1.2 package by the content-packaging rules (an empty list: none).

    The rules applied (SCORM 1.2 CAM, IMS CP 1.1.2 schema, ADL CP 1.2 schema): ``imsmanifest.xml`` at the
    root of the zip; the ``manifest`` element in the IMS CP namespace with an identifier; its children
    in order (metadata, organizations, resources); metadata schema ``ADL SCORM`` and schemaversion
    ``1.2``; identifiers are XML IDs (NCName) and unique; ``organizations/@default`` names an
    organization; every item's ``identifierref`` names a resource; titles at most 200 characters; a
    resource has a ``type`` and a valid ``adlcp:scormtype`` (sco/asset); a SCO has an ``href``; every
    ``href`` is relative, stays inside the package and names a file in the zip; every file in the zip
    but the manifest is listed in a resource.
    """
    problems: list[str] = []
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        if "imsmanifest.xml" not in names:
            return ["imsmanifest.xml is not at the root of the package"]
        try:
            root = ET.fromstring(z.read("imsmanifest.xml"))
        except ET.ParseError as exc:
            return [f"imsmanifest.xml is not well-formed XML: {exc}"]
    q = lambda tag: f"{{{CP}}}{tag}"  # noqa: E731
    if root.tag != q("manifest"):
        return [f"the root element is {root.tag}, not manifest in {CP}"]
    ids: dict[str, str] = {}
    for el in root.iter():
        ident = el.get("identifier")
        if ident is None:
            continue
        if not NCNAME.match(ident):
            problems.append(f"identifier {ident!r} is not an XML ID")
        if ident in ids:
            problems.append(f"identifier {ident!r} is used twice")
        ids[ident] = el.tag
    if "identifier" not in root.attrib:
        problems.append("manifest has no identifier")
    if len(root.get("version", "")) > 20:
        problems.append("manifest version is longer than 20 characters")
    order = [c.tag for c in root if c.tag.startswith(f"{{{CP}}}")]
    expected = [t for t in (q("metadata"), q("organizations"), q("resources")) if t in order]
    if order[: len(expected)] != expected or q("organizations") not in order or q("resources") not in order:
        problems.append("manifest must hold metadata, organizations and resources, in that order")
    meta = root.find(q("metadata"))
    if meta is None or (meta.findtext(q("schema")) or "").strip() != "ADL SCORM" \
            or (meta.findtext(q("schemaversion")) or "").strip() != "1.2":
        problems.append("metadata must say schema 'ADL SCORM' and schemaversion '1.2'")
    orgs = root.find(q("organizations"))
    resources_el = root.find(q("resources"))
    resource_ids = {r.get("identifier") for r in resources_el.findall(q("resource"))} if resources_el is not None else set()
    if orgs is not None:
        default = orgs.get("default")
        if default is not None and ids.get(default) != q("organization"):
            problems.append(f"organizations/@default {default!r} names no organization")
        for org in orgs.findall(q("organization")):
            if not org.findall(f".//{q('item')}"):
                problems.append(f"organization {org.get('identifier')!r} has no item")
        for title in orgs.iter(q("title")):
            if len(title.text or "") > 200:
                problems.append("a title is longer than 200 characters")
        for item in orgs.iter(q("item")):
            ref = item.get("identifierref")
            if ref is not None and ref not in resource_ids:
                problems.append(f"item {item.get('identifier')!r} refers to no resource ({ref!r})")
            if item.get("isvisible") not in (None, "true", "false", "1", "0"):
                problems.append(f"item {item.get('identifier')!r} has isvisible={item.get('isvisible')!r}")
    listed: set[str] = set()
    if resources_el is not None:
        for res in resources_el.findall(q("resource")):
            rid = res.get("identifier")
            kind = res.get(f"{{{ADLCP}}}scormtype")
            if not res.get("type"):
                problems.append(f"resource {rid!r} has no type")
            if kind not in ("sco", "asset"):
                problems.append(f"resource {rid!r} has adlcp:scormtype {kind!r} (sco or asset)")
            if kind == "sco" and not res.get("href"):
                problems.append(f"SCO {rid!r} has no href (the page the LMS launches)")
            hrefs = [res.get("href")] if res.get("href") else []
            for f in res.findall(q("file")):
                hrefs.append(f.get("href") or "")
                listed.add(f.get("href") or "")
            for dep in res.findall(q("dependency")):
                if dep.get("identifierref") not in resource_ids:
                    problems.append(f"resource {rid!r} depends on no resource ({dep.get('identifierref')!r})")
            for href in hrefs:
                path_part = urlsplit(href).path
                if urlsplit(href).scheme or href.startswith("/") or ".." in Path(path_part).parts:
                    problems.append(f"href {href!r} leaves the package")
                elif path_part not in names:
                    problems.append(f"href {href!r} names no file in the package")
    for name in sorted(names - listed - {"imsmanifest.xml"}):
        if not name.endswith("/"):
            problems.append(f"{name} is in the package but listed in no resource")
    return problems
