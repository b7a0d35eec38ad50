"""nbgrader plug-ins used by the course's ``assessments/nbgrader_config.py``.

nbgrader builds feedback from the *autograded* notebook, in which every locked
cell has been restored from the gradebook: test cells carry their hidden tests
again, task cells their mark scheme, and a failed hidden test leaves a
traceback that quotes the assertion (and so the right answer). Feedback goes to
every learner, so :class:`HideGradingCode` removes all three before the HTML is
written. Learners see their own answers, the visible format check, and whether
each question earned its points.
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from traitlets import Bool
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme

RIGHT = "✔ Riktig – poengene er gitt."
WRONG = "✘ Ikke riktig, eller svaret kunne ikke leses – ingen poeng for dette spørsmålet."


class HideGradingCode(Preprocessor):
    """Strip hidden tests, mark schemes and test tracebacks from a notebook (for feedback)."""

    enabled = Bool(True).tag(config=True)  # nbconvert preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        self._tests = ClearHiddenTests(enforce_metadata=False)
        self._schemes = ClearMarkScheme(enforce_metadata=False)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources, index):
        self._tests._remove_hidden_test_region(cell)
        self._schemes._remove_mark_scheme_region(cell)
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            failed = any(o.output_type == "error" for o in cell.outputs) or any(
                o.output_type == "stream" and o.name == "stderr" for o in cell.outputs
            )
            kept = [o for o in cell.outputs if o.output_type == "stream" and o.name == "stdout"]
            verdict = WRONG if failed else RIGHT
            kept.append(NotebookNode(output_type="stream", name="stdout", text=verdict + "\n"))
            cell.outputs = kept
        return cell, resources
