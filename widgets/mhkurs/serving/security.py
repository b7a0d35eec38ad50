"""The security headers of the course pages: a strict Content-Security-Policy and its companions.

The pages run no inline script (the template's behaviour is ``static/mhkurs.js``, the widget front end
``static/mhkurs-widgets.js`` and its chunks, the record bridge bundled in it), so ``script-src 'self'`` without
``'unsafe-inline'`` or ``blob:`` is enough. Styles stay ``'unsafe-inline'``: ipywidgets sets its layouts as
inline styles. ``frame-ancestors`` says who may show the pages in a frame: ``'self'`` by default; a host that
embeds the course in its learning platform (LMS) names that platform's origin (``mhkurs serve
--frame-ancestors``, ``mhkurs nginx-conf --frame-ancestors``). The course server (``CourseVoila``) and the
nginx configuration (``mhkurs.serving.proxy``) send the same headers.
"""

from __future__ import annotations

import re

DEFAULT_FRAME_ANCESTORS = "'self'"


def content_security_policy(frame_ancestors: str = DEFAULT_FRAME_ANCESTORS) -> str:
    """The course's policy; ``frame_ancestors`` is a CSP source list (``'self' https://lms.example.no``)."""
    if re.search(r"[;,\"\r\n]", frame_ancestors):
        raise ValueError(f"frame-ancestors must be a list of sources, not {frame_ancestors!r}")
    # the keywords lose their quotes on the way through a command line (traitlets strips a quoted value's quotes)
    frame_ancestors = " ".join(f"'{t}'" if t in ("self", "none") else t for t in frame_ancestors.split()) or "'none'"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",  # the kernel's websocket is same-origin: 'self' covers ws(s):// (CSP level 3)
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ])


def security_headers(frame_ancestors: str = DEFAULT_FRAME_ANCESTORS) -> dict[str, str]:
    """The headers every course response carries."""
    return {
        "Content-Security-Policy": content_security_policy(frame_ancestors),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",  # links to sources (Lovdata, regjeringen.no) get no course URL
    }
