"""Voila (the server extension in a learner's server) uses the course's own voila.json."""

import json
import os

from traitlets.config import Config

c = get_config()  # noqa: F821
with open(os.path.join(os.environ["MHKURS_REPO"], "voila.json"), encoding="utf-8") as fh:
    c.merge(Config(json.load(fh)))
