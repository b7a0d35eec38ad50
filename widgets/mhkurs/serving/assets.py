"""Compression and browser caching of the course pages' front end, in the course's own Voila server.

Why standalone Voila sends its ~5 MB front end uncompressed: tornado gzips responses only when the
``compress_response`` setting is given to ``tornado.web.Application(...)`` itself, because the
constructor is what adds the ``GZipContentEncoding`` transform. Voila builds the application from
``init_settings()`` and only afterwards applies ``Voila.tornado_settings``
(``self.app.settings.update(...)``), so ``tornado_settings={"compress_response": True}`` is accepted
and silently does nothing. :class:`~mhkurs.serving.app.CourseVoila` puts the setting into
``init_settings()``, before the application exists.

Why a returning learner downloaded it again: Voila serves its main bundle's chunks
(``/voila/static/1234.voila.js``) under names without a content hash, so it cannot let browsers keep
them; and it marks every JupyterLab extension file ``no-cache`` although their names carry a content
hash. The course server gives the main bundle a URL with a digest of its files
(``/voila/static/_/<digest>/…``, see :func:`static_digest`) and marks every file whose URL carries a
content hash (that digest, ``?v=…``, or a hash in the file name) ``immutable`` for a year. Other
static files are revalidated (304 answers, a few hundred bytes). Rendered pages are never cached.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable

from jupyter_server.base.handlers import FileFindHandler
from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler

IMMUTABLE = "public, max-age=31536000, immutable"
"""Cache-Control of a file whose URL changes whenever its content does."""

VERSIONED_STATIC = "voila/static/_/"
"""Prefix (under the base URL) of Voila's main bundle with a digest of its files in the path."""

_HASHED_NAME = re.compile(r"[._-][0-9a-f]{8,}\.(?:js|css|woff2?|ttf|eot|svg|png|wasm)$"
                          # the course's widget front end: esbuild names its chunks <name>-<8 base32 characters>.js
                          r"|/mhkurs/static/chunks/[a-z]+-[0-9A-Z]{8}\.js$")


def hashed_url(path: str, query_has_version: bool) -> bool:
    """True when the URL names one version of a file: ``?v=<hash>``, or a content hash in the file name."""
    return query_has_version or bool(_HASHED_NAME.search(path))


def static_digest(paths: Iterable[str]) -> str:
    """A short digest of every file under ``paths`` (names and contents): it changes with any Voila upgrade."""
    h = hashlib.sha256()
    for root in paths:
        if not os.path.isdir(root):
            continue
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                full = os.path.join(folder, name)
                h.update(os.path.relpath(full, root).encode())
                with open(full, "rb") as f:
                    h.update(f.read())
    return h.hexdigest()[:16]


class VersionedStaticHandler(MultiStaticFileHandler):
    """Voila's main bundle under ``/voila/static/_/<digest>/``: kept by the browser for a year."""

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", IMMUTABLE)


class TemplateAssetHandler(TemplateStaticFileHandler):
    """The template's static files (``?v=<hash>`` URLs from ``resources.include_css/include_js``)."""

    def set_extra_headers(self, path: str) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        if hashed_url(self.request.path, "v" in self.request.arguments):
            self.set_header("Cache-Control", IMMUTABLE)


class LabextensionHandler(FileFindHandler):
    """JupyterLab extension files: hashed ones kept for a year, the rest revalidated (Voila: all no-cache)."""

    def set_headers(self) -> None:
        super().set_headers()
        if hashed_url(self.request.path, "v" in self.request.arguments):
            self.set_header("Cache-Control", IMMUTABLE)
