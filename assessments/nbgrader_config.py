"""nbgrader configuration for the course's graded assignments.

Run every nbgrader command from this folder (``cd assessments``); see
``docs/INSTRUCTOR.md``. The source notebooks in ``source/`` are generated from
the question bank by ``mhkurs assessments``: edit the bank, not the notebooks.
"""

import os

from nbgrader.preprocessors import GetGrades

from mhkurs.assess.answers import ANSWER_FILE
from mhkurs.assess.feedback import TEMPLATE_DIR, TEMPLATE_NAME, TeachingFeedback, TeachingFeedbackExporter
from mhkurs.grading import sandbox

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

# The course and its folders (source/, release/, submitted/, autograded/, feedback/, gradebook.db)
# live next to this file, whatever the working directory.
c.CourseDirectory.course_id = os.environ.get("MHKURS_COURSE_ID", "menneskehandel")
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# Answer cells: the learner sees `svar_N = ""`; the solution line is removed without a stub.
c.ClearSolutions.code_stub = {"python": ""}
c.ClearSolutions.text_stub = "Skriv svaret ditt her."

# A submission that loops or hangs must not stop the batch: every cell gets 10 s, then the
# kernel is interrupted and the cell counts as failed; a kernel that will not start in 60 s fails
# that submission only.
c.Execute.timeout = 10
c.Execute.interrupt_on_timeout = True
c.Execute.startup_timeout = 60

# Autograde runs every submission's kernel in a bubblewrap sandbox (see docs/INSTRUCTOR.md): only
# the submission's own files, no network, no course folder, gradebook or home; limited CPU time,
# memory and processes. Without bubblewrap, autograde refuses to run; MHKURS_SANDBOX=off runs it
# unsandboxed anyway and logs that in sandbox-optout.log.
sandbox.configure(c, c.CourseDirectory.root)
c.SandboxKernelManager.cpu_seconds = 120  # all cells of one submission together
c.SandboxKernelManager.memory_mb = 2048
c.SandboxKernelManager.max_processes = 64

# Feedback that teaches (mhkurs.assess.feedback): per question the learner's answer, the right
# answer, why each option is right or wrong (from the bank), the points, the instructor's comment
# on free text, and the module to review. Built from the bank, so it never shows code, hidden
# tests, rubrics or tracebacks; one self-contained page (no scripts or fonts from other hosts).
c.GenerateFeedback.preprocessors = [GetGrades, TeachingFeedback]
c.GenerateFeedback.exporter_class = TeachingFeedbackExporter
c.TeachingFeedbackExporter.template_name = TEMPLATE_NAME
c.TeachingFeedbackExporter.extra_template_basedirs = [str(TEMPLATE_DIR)]
# Where "Repeter: Modul N" links to ({notebook}: modules/....ipynb). The default suits the course
# hub; for feedback sent as files, put the course's web address here, or "" for no link.
c.TeachingFeedback.module_url = os.environ.get("MHKURS_MODULE_URL", "/hub/user-redirect/voila/render/{notebook}")

# The clicked answers travel as <assignment>-svar.json beside the notebook. autograde copies the
# source folder's files over each submission: never over a learner's answer file.
c.Autograde.exclude_overwriting = {
    a: [ANSWER_FILE.format(assignment=a)]
    for a in (sorted(os.listdir(os.path.join(c.CourseDirectory.root, "source")))
              if os.path.isdir(os.path.join(c.CourseDirectory.root, "source")) else [])
}

# Hand-in as files (no JupyterHub exchange): `mhkurs collect <assignment>` reads the files (or zip
# files of them) put in downloaded/<assignment>/archive/, named <student id>_<notebook>.ipynb, for
# example ola.nordmann_a1-begreper.ipynb, and names every file that does not match before it
# collects anything. nbgrader's own `zip_collect` uses this pattern but only warns about mismatches.
c.FileNameCollectorPlugin.named_regexp = r".*/(?P<student_id>[^/_]+)_(?P<file_id>[^/_]+\.ipynb)$"

# Grading: a test or task cell a learner deleted is put back before grading, so the answer is still
# graded (nbgrader's default would give the question 0 without running it). Answers stay in the
# learner's answer cell or answer file, which are not restored.
from mhkurs.grading.quiet import QuietOverwriteCells, filter_warnings  # noqa: E402

c.OverwriteCells.add_missing_cells = True
# Quiet runs: no "checksum has changed" warning for every test cell of every submission (expected:
# the released test cells lack their hidden part; `mhkurs audit` lists real edits), no SQLAlchemy
# autoflush warnings from nbgrader's gradebook code.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput", "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec", QuietOverwriteCells, "nbgrader.preprocessors.CheckCellMetadata",
]
filter_warnings()

# Hand-in through JupyterHub: nbgrader's exchange folder. nbgrader's default is
# /usr/local/share/nbgrader/exchange; set your own here if it differs, e.g.
# c.Exchange.root = "/srv/nbgrader/exchange"
