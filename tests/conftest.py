"""Test-wide settings: no test writes the learner's real progress file."""

import os
import tempfile

os.environ.setdefault("MHKURS_PROGRESS_FILE", os.path.join(tempfile.mkdtemp(prefix="mhkurs-test-"), "progress.json"))
