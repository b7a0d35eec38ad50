"""Voila with admission control: the course server that ``mhkurs serve`` starts.

Voila starts a kernel for every page it renders and has no limit of its own. ``CourseVoila`` asks a
:class:`~mhkurs.serving.gate.KernelGate` before each render: past the limits the visitor gets a short
Norwegian page with 503 (server full) or 429 (one client holds too many pages) and ``Retry-After``,
and the refusal is logged. Kernels of rendered pages that no browser connected to are shut down after
``unconnected_timeout`` seconds. Pages already open are never touched.
"""

from __future__ import annotations

import contextvars
import inspect
import os
from pathlib import Path

from tornado.ioloop import PeriodicCallback
from traitlets import Bool, Float, Int, List, Unicode
from jupyter_server._tz import utcnow
from jupyter_server.base.handlers import FileFindHandler
from jupyter_server.utils import url_path_join
from voila.app import Voila
from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

from .assets import (VERSIONED_STATIC, LabextensionHandler, TemplateAssetHandler, VersionedStaticHandler,
                     static_digest)
from .gate import KERNEL_MIB, KernelGate, Limits
from .security import DEFAULT_FRAME_ANCESTORS, security_headers

OVERLOAD_PAGE = Path(__file__).with_name("overload.html")

_render_box: contextvars.ContextVar[list | None] = contextvars.ContextVar("mhkurs_render_box", default=None)
_in_pool_call: contextvars.ContextVar[bool] = contextvars.ContextVar("mhkurs_in_pool_call", default=False)


def _memory_mib() -> int:
    """Three quarters of the machine's memory, in MiB (the default budget for kernels)."""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        return int(pages * size * 3 / 4 / 2**20)
    except (ValueError, OSError):
        return 4096


class GatedVoilaHandler(TornadoVoilaHandler):
    """Voila's page handler, asking the gate first and telling it which kernel the page got."""

    _admitted = False

    def set_header(self, name, value):
        # Voila sends its pages with "no-cache, no-store, must-revalidate". "no-store" keeps a page out of the
        # browser's back/forward cache (with an open websocket, Chromium says so: WebSocketUsedWithCCNS), so a
        # trainee who follows a link and comes back with «Back» would get a new page and kernel. The page holds
        # no learner's data (the record comes over the kernel connection), so "no-cache" (always revalidated,
        # private) is enough; the front end reconnects a page restored from that cache (frontend/src/main.js).
        if name == "Cache-Control" and value == "no-cache, no-store, must-revalidate":  # Voila's, on a page
            value = "no-cache, private"
        super().set_header(name, value)

    def client(self) -> str:
        app: CourseVoila = self.settings["mhkurs_app"]
        if app.trust_forwarded_for:
            forwarded = self.request.headers.get("X-Real-IP") or self.request.headers.get("X-Forwarded-For", "")
            first = forwarded.split(",")[0].strip()
            if first:
                return first
        return self.request.remote_ip or "?"

    async def prepare(self):
        result = super().prepare()
        if inspect.isawaitable(result):
            await result
        if self._finished:
            return
        app: CourseVoila = self.settings["mhkurs_app"]
        km = app.kernel_manager
        refusal = app.gate.admit(self.client(), km.list_kernel_ids())
        if refusal is not None and refusal.status == 429:
            # A learner who has opened many pages: their closed pages' kernels make room before any 429.
            connected = [k for k in km.list_kernel_ids() if km._kernel_connections.get(k, 0) > 0]
            for k in connected:
                app.gate.saw_connection(k)
            closed = app.gate.closed_page_of(self.client(), connected)
            if closed:
                app.log.info("mhkurs: shutting down kernel %s of a closed page to make room for %s", closed,
                             self.client())
                await km.shutdown_kernel(closed)
                app.gate.forget_dead(set(km.list_kernel_ids()))
                refusal = app.gate.admit(self.client(), km.list_kernel_ids())
        if refusal is None:
            self._admitted = True
            return
        app.log.warning("mhkurs: refused a page for %s with %s: %s", self.client(), refusal.status, refusal.reason)
        self.set_status(refusal.status)
        self.set_header("Retry-After", str(refusal.retry_after))
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(OVERLOAD_PAGE.read_text(encoding="utf-8"))

    async def get(self, path=None):
        # Voila's front end sends the page's ``_xsrf`` cookie when the page is left, to have its kernel shut
        # down at once (``/voila/api/shutdown``); Voila's page never set that cookie, so the request was refused
        # (403) and the kernel of every closed page waited for the idle cull.
        self.xsrf_token  # noqa: B018 (reading it sets the cookie)
        box: list[str] = []
        token = _render_box.set(box)
        try:
            await super().get(path)
        finally:
            _render_box.reset(token)
            if self._admitted:
                self.settings["mhkurs_app"].gate.done(self.client(), box[0] if box else None)
                self._admitted = False

    def on_finish(self):
        if self._admitted:  # a render that failed before get() ran
            self.settings["mhkurs_app"].gate.done(self.client(), None)
            self._admitted = False
        super().on_finish()


class CourseVoila(Voila):
    """Voila serving the course, with kernel caps, an overload page and quick culling of unused kernels."""

    memory_mib = Int(0, config=True, help="MiB of memory for kernels (0: three quarters of the machine's).")
    kernel_mib = Int(KERNEL_MIB, config=True, help="MiB to plan per live kernel.")
    max_kernels = Int(0, config=True, help="Live kernels on this server, pool included (0: memory_mib / kernel_mib).")
    max_kernels_per_client = Int(12, config=True, help="Live kernels one client address may hold.")
    unconnected_timeout = Float(60.0, config=True,
                                help="Seconds before the kernel of a page no browser connected to is shut down.")
    retry_after = Int(30, config=True, help="Seconds a refused visitor is asked to wait (Retry-After).")
    trust_forwarded_for = Bool(False, config=True,
                               help="Take the client address from X-Real-IP/X-Forwarded-For (behind a reverse proxy).")

    lms_origins = List(Unicode(), config=True,
                       help="Origins of learning platforms (LMS) that may show the course in a frame (mhkurs scorm), "
                            "e.g. https://moodle.example.no; Jupyter's default lets only the server itself frame it.")
    frame_ancestors = Unicode(DEFAULT_FRAME_ANCESTORS, config=True,
                              help="Who may show the pages in a frame (CSP frame-ancestors), e.g. \"'self' "
                                   "https://lms.example.no\" for a learning platform.")

    def limits(self) -> Limits:
        max_kernels = self.max_kernels or max(1, (self.memory_mib or _memory_mib()) // self.kernel_mib)
        return Limits(max_kernels=max_kernels, per_client=self.max_kernels_per_client,
                      unconnected_timeout=self.unconnected_timeout, retry_after=self.retry_after)

    def init_settings(self):
        # The main bundle's URL carries a digest of its files, so browsers may keep it (mhkurs.serving.assets).
        self.static_digest = static_digest(self.static_paths)
        user_hook = self.voila_configuration.page_config_hook

        def page_config_hook(page_config, **kwargs):
            if user_hook:
                page_config = user_hook(page_config, **kwargs)
            page_config["fullStaticUrl"] = url_path_join(kwargs["base_url"], VERSIONED_STATIC + self.static_digest)
            return page_config

        self.voila_configuration.page_config_hook = page_config_hook
        settings = super().init_settings()
        # gzip: tornado adds its GZipContentEncoding transform only when the Application is constructed with
        # this setting; Voila's tornado_settings are applied after construction and cannot turn it on.
        settings["compress_response"] = True
        # A strict Content-Security-Policy, nosniff and a referrer policy on every response (mhkurs.serving.security);
        # headers a host sets in tornado_settings win.
        # The SCORM package's launch page (on the LMS's origin, --lms-origin) may frame the course pages too.
        own = [] if self.frame_ancestors.strip() == "'none'" and self.lms_origins else [self.frame_ancestors]
        ancestors = " ".join([*own, *self.lms_origins])
        settings["headers"] = {**security_headers(ancestors), **settings.get("headers", {})}
        # The kernel websocket compressed (permessage-deflate) when the browser offers it: widget states and
        # updates are JSON, a few times smaller compressed on a phone's connection.
        settings.setdefault("websocket_compression_options", {})
        self.gate = KernelGate(self.limits())
        self.log.info("mhkurs: at most %d live kernels, %d per client; unused kernels shut down after %.0f s",
                      self.gate.limits.max_kernels, self.gate.limits.per_client, self.gate.limits.unconnected_timeout)
        settings["mhkurs_app"] = self
        km = self.kernel_manager
        if hasattr(km, "get_rendered_notebook"):
            pooled = km.get_rendered_notebook

            async def get_rendered_notebook(*args, **kwargs):
                token = _in_pool_call.set(True)  # refills started in here are nobody's page
                try:
                    result = await pooled(*args, **kwargs)
                finally:
                    _in_pool_call.reset(token)
                # Voila protects a kernel from the idle cull only while it waits in the pool: one that waited
                # longer than cull_idle_timeout would be culled as soon as it is handed out, before the page's
                # browser connects. Handing it out is activity.
                kernel = km._kernels.get(result[2])
                if kernel is not None:
                    kernel.last_activity = utcnow()
                box = _render_box.get()
                if box is not None:
                    box.append(result[2])
                return result

            km.get_rendered_notebook = get_rendered_notebook
        cold = km.start_kernel

        async def start_kernel(*args, **kwargs):
            kernel_id = await cold(*args, **kwargs)
            box = _render_box.get()
            if box is not None and not _in_pool_call.get():
                box.append(kernel_id)
            return kernel_id

        km.start_kernel = start_kernel
        return settings

    def init_handlers(self):
        replace = {TornadoVoilaHandler: GatedVoilaHandler, TemplateStaticFileHandler: TemplateAssetHandler,
                   FileFindHandler: LabextensionHandler}
        out = []
        for route, handler, *rest in super().init_handlers():
            if handler is MultiStaticFileHandler and route.endswith("/voila/static/(.*)"):
                versioned = url_path_join(self.server_url, VERSIONED_STATIC + self.static_digest + "/(.*)")
                out.append((versioned, VersionedStaticHandler, *rest))
            out.append((route, replace.get(handler, handler), *rest))
        return out

    async def _cull_unused(self) -> None:
        km = self.kernel_manager
        live = km.list_kernel_ids()
        for kernel_id in live:
            if km._kernel_connections.get(kernel_id, 0) > 0:
                self.gate.saw_connection(kernel_id)
        for kernel_id in self.gate.unused(live):
            self.log.info("mhkurs: shutting down kernel %s: no browser connected within %.0f s",
                          kernel_id, self.gate.limits.unconnected_timeout)
            try:
                await km.shutdown_kernel(kernel_id)
            except Exception as exc:  # noqa: BLE001 (a kernel that died on its own)
                self.log.warning("mhkurs: could not shut down kernel %s: %s", kernel_id, exc)
        self.gate.forget_dead(set(km.list_kernel_ids()))

    def listen(self):
        interval_ms = max(500, int(min(5.0, self.gate.limits.unconnected_timeout / 4) * 1000))
        self._culler = PeriodicCallback(self._cull_unused, interval_ms)
        self._culler.start()
        super().listen()


main = CourseVoila.launch_instance

if __name__ == "__main__":
    main()
