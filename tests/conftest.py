"""Test-wide settings: no test writes the learner's real progress file (a temporary one, removed at exit)."""

import atexit
import os
import shutil
import tempfile

_TMP = tempfile.mkdtemp(prefix="mhkurs-test-")
atexit.register(shutil.rmtree, _TMP, True)
os.environ.setdefault("MHKURS_PROGRESS_FILE", os.path.join(_TMP, "progress.json"))
