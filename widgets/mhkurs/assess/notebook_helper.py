"""Kernel-side code of a graded assignment, copied verbatim into its helper cell by ``build.py``.

Standard library only (ipywidgets when present), so a trainee's plain Jupyter never needs the
course package. Together with the reading functions of :mod:`mhkurs.assess.answers` (also copied)
and the table ``ASSIGNMENT``/``QUESTIONS``/``TASKS`` that ``build.py`` appends, it gives:

* ``answer_buttons(n)`` (answer cells): radio buttons or checkboxes, Norwegian; every click is
  written at once, atomically, into ``<assignment>-svar.json`` beside the notebook, and shown
  again when the cell runs after a reload or a kernel restart;
* ``check_answer(n)`` (visible part of test cells): says whether question n is answered in a
  readable way, never whether it is right; an unreadable answer stops the cell with a Norwegian
  message and no traceback;
* ``graded_answer(n)`` (hidden tests): the letters that are graded: clicked, else typed;
* ``hand_in_panel()`` (last cell): completeness check («11 av 14 besvart; spørsmål 4 og 9
  mangler») and «Klargjør innlevering som fil», which writes ``<deltaker-id>_<assignment>.ipynb``
  with every clicked answer written into its answer cell (a deleted or retyped answer cell is
  put back), for hand-in as a file where only the notebook travels;
* typed answers are tolerant: ``svar_1 = B`` (no quotes) is read as ``"B"``, not a NameError.
"""

# ruff: noqa  (this file is embedded into notebooks; it is kept free of course-package imports)
# --- embedded from here -------------------------------------------------------------------------
import ast as _ast
import json as _json
import os as _os
import re as _re
import tempfile as _tempfile

ANSWER_FILE_NAME = "{assignment}-svar.json"
_STATUS = "mhkurs-status-{n}"
BUTTONS = {}  # question number -> its RadioButtons or VBox of Checkboxes (the latest shown)
_ANSWER_LINE = _re.compile(r"^(\s*svar_\d+\s*=(?!=)\s*)(.*?)(\s*)$")


class AnswerProblem(Exception):
    """An answer that cannot be graded as it stands; shown as one Norwegian line, no traceback."""


def _show_problem(shell, etype, value, tb, tb_offset=None):
    stb = ["✘ " + str(value)]
    shell._showtraceback(etype, value, stb)  # an error output (the cell fails), with only this line
    return stb


def _quote_typed_answers(lines):
    """``svar_N = B og D`` -> ``svar_N = 'B og D'``: a typed answer that is not Python is text."""
    out = []
    for line in lines:
        match = _ANSWER_LINE.match(line.rstrip("\n"))
        rhs = match.group(2) if match else ""
        if rhs and rhs[0] not in "[({":
            try:
                _ast.literal_eval(rhs)
            except Exception:
                line = match.group(1) + repr(rhs) + ("\n" if line.endswith("\n") else "")
        out.append(line)
    return out


def _interactive():
    """True in a Jupyter front end (the grader's kernel has no session)."""
    return bool(_os.environ.get("JPY_SESSION_NAME")) or "__vsc_ipynb_file__" in globals()


def _answer_path():
    return _os.path.join(_os.getcwd(), ANSWER_FILE_NAME.format(assignment=ASSIGNMENT))


def _teacher_copy():
    """The instructor's source folder (``source/<assignment>``): clicks are never saved there."""
    here = _os.getcwd()
    return (_os.path.basename(_os.path.dirname(here)) == "source"
            and _os.path.exists(_os.path.join(here, "..", "..", "nbgrader_config.py")))


def _saved():
    try:
        with open(_answer_path(), encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError):
        return {}
    return read_answer_file(text)[0]


def _write_atomically(path, write):
    """Write a file via a temporary file in the same folder, then rename it: never half written.
    Readable like any new file (mkstemp alone would make it private to this user)."""
    fd, tmp = _tempfile.mkstemp(prefix=".mhkurs-", suffix=".tmp", dir=_os.path.dirname(path))
    try:
        with _os.fdopen(fd, "w", encoding="utf-8") as fh:
            write(fh)
            fh.flush()
            _os.fsync(fh.fileno())
        mask = _os.umask(0)
        _os.umask(mask)
        _os.chmod(tmp, 0o666 & ~mask)
        _os.replace(tmp, path)
    except BaseException:
        if _os.path.exists(tmp):
            _os.remove(tmp)
        raise


def _save(item, letters):
    """Write one clicked answer into the answer file (atomically). Returns None or a Norwegian problem."""
    if _teacher_copy():
        return "Dette er lærerens kildeversjon; klikk lagres ikke her."
    path = _answer_path()
    answers = _saved()
    answers[item] = list(letters)
    data = {"format": 1, "oppgave": ASSIGNMENT, "svar": answers}
    try:
        _write_atomically(path, lambda fh: _json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True))
    except OSError as exc:
        return f"Svaret kunne ikke lagres i fila ({exc.strerror or exc})."
    return None


def _current(n):
    item, options, many = QUESTIONS[n][:3]
    return choose(_saved().get(item), globals().get(f"svar_{n}"), options, many)


def graded_answer(n):
    """The letters graded for question n (None: not readable)."""
    return _current(n)[0]


def partial_credit(letters, right, points):
    """Points for a multi-select (the rule of docs/ASSESSMENT.md and ``logic.quiz.partial_credit``): each
    right option ticked earns points / (number of right options), each wrong option ticked takes as much
    away, never below 0. The test cell shows the number, and nbgrader takes it as the partial score."""
    if letters is None:
        raise ValueError("svaret kan ikke leses")
    ticked = set(letters)
    share = (len(ticked & set(right)) - len(ticked - set(right))) / len(right)
    return round(max(0.0, share) * points, 2)


def _status_text(n):
    letters, problem, origin = _current(n)
    if problem:
        return f"✘ Spørsmål {n}: {problem}"
    if not letters:
        return f"Spørsmål {n} er ikke besvart ennå."
    how = "klikket" if origin == "klikket" else "skrevet"
    return f"✔ Spørsmål {n}: svaret ditt er registrert ({_list_nb(letters)}, {how})."


def check_answer(n):
    """Visible test: readable answer -> a line saying so; otherwise a Norwegian message."""
    from IPython.display import display

    letters, problem, _ = _current(n)
    if problem:
        raise AnswerProblem(f"Spørsmål {n}: {problem}")
    if not letters and not _interactive():
        raise AnswerProblem(f"Spørsmål {n} er ikke besvart.")
    display({"text/plain": _status_text(n)}, raw=True, display_id=_STATUS.format(n=n))


def _refresh_status(n):
    from IPython.display import update_display

    update_display({"text/plain": _status_text(n)}, raw=True, display_id=_STATUS.format(n=n))


def answer_buttons(n):
    """The clickable options of question n (typed answers remain possible without ipywidgets)."""
    item, options, many, texts = QUESTIONS[n]
    var = f"svar_{n}"
    try:
        import ipywidgets as w
        from IPython.display import display
    except ImportError:
        print(f"Knappene kan ikke vises her. Skriv svaret mellom anførselstegnene i linjen {var} = \"\" "
              "og kjør cellen (Shift+Enter).")
        return None
    letters, problem, _ = _current(n)
    letters = letters or []
    status = w.HTML(layout=w.Layout(margin="0.25em 0 0 0"))

    def shown(letters_now, problem_now=None):
        if problem_now:
            status.value = f"<span>✘ {problem_now}</span>"
        elif letters_now:
            status.value = f"<span>✔ Lagret: {_list_nb(letters_now)}. Du kan endre svaret når du vil.</span>"
        else:
            status.value = "<span>Ikke besvart ennå.</span>"

    def record(letters_now):
        globals()[var] = "".join(letters_now)
        problem_now = _save(item, letters_now)
        shown(letters_now, problem_now)
        _refresh_status(n)

    labels = [f"{letter} – {text}" for letter, text in zip(options, texts)]
    if many:
        boxes = [w.Checkbox(value=letter in letters, description=label, indent=False,
                            layout=w.Layout(width="auto")) for letter, label in zip(options, labels)]
        for box in boxes:
            box.add_class("mhkurs-valg-alternativ")
            box.observe(lambda change: record([l for l, b in zip(options, boxes) if b.value]), names="value")
        choices = w.VBox(boxes)
        hint = "Kryss av for alle alternativene du mener er riktige."
    else:
        choices = w.RadioButtons(options=list(zip(labels, options)),
                                 value=letters[0] if len(letters) == 1 else None, layout=w.Layout(width="auto"))
        choices.observe(lambda change: record([change["new"]] if change["new"] else []), names="value")
        hint = "Velg ett alternativ."
    choices.add_class("mhkurs-valg")
    BUTTONS[n] = choices
    shown(letters, problem)
    style = w.HTML("<style>.mhkurs-valg label, .mhkurs-valg-alternativ label {white-space: normal !important;"
                   " line-height: 1.35; height: auto !important;} .mhkurs-valg .widget-radio-box label,"
                   " .mhkurs-valg-alternativ {height: auto !important; margin-bottom: 0.35em;}</style>")
    box = w.VBox([style, w.HTML(f"<b>Spørsmål {n}.</b> {hint}"), choices, status])
    display(box)
    return None


def _notebook_path():
    here = _os.getcwd()
    name = ASSIGNMENT + ".ipynb"
    if _os.path.exists(_os.path.join(here, name)):
        return _os.path.join(here, name)
    return None


def _read_notebook():
    path = _notebook_path()
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            return _json.load(fh)
    except (OSError, ValueError):
        return None


def _free_text_done(nb, cell_id):
    for cell in (nb or {}).get("cells", []):
        if cell.get("id") == cell_id:
            text = "".join(cell.get("source", "")) if isinstance(cell.get("source"), list) else cell.get("source", "")
            return bool(text.strip()) and text.strip() != "*Skriv svaret ditt her.*"
    return False


def completeness():
    """(Norwegian summary, [missing numbers], [unreadable numbers]): never says what is right."""
    nb = _read_notebook()
    missing, unreadable = [], []
    numbers = sorted(list(QUESTIONS) + list(TASKS))
    for n in numbers:
        if n in QUESTIONS:
            letters, problem, _ = _current(n)
            if problem:
                unreadable.append(n)
            elif not letters:
                missing.append(n)
        elif not _free_text_done(nb, TASKS[n]):
            missing.append(n)
    done = len(numbers) - len(missing) - len(unreadable)
    text = f"{done} av {len(numbers)} besvart"
    if missing:
        text += f"; {'spørsmål' if len(missing) > 1 else 'spørsmål'} {_list_nb(missing)} mangler"
    if unreadable:
        text += f"; svaret på spørsmål {_list_nb(unreadable)} kan ikke leses (se meldingen under spørsmålet)"
    text += "."
    if TASKS and nb is None:
        text += " (Fritekstsvarene kunne ikke sjekkes: notatboken er ikke lagret her.)"
    return text, missing, unreadable


def _cell_text(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def prepare_file(student_id):
    """Write ``<student_id>_<assignment>.ipynb`` with every clicked answer in its answer cell.

    Returns (path or None, Norwegian message)."""
    sid = (student_id or "").strip()
    if not _re.fullmatch(r"[a-z0-9][a-z0-9.\-]*", sid):
        return None, ("Skriv deltaker-ID-en du har fått av instruktøren: små bokstaver, tall, punktum eller "
                      "bindestrek, uten mellomrom eller understrek (for eksempel ola.nordmann).")
    nb = _read_notebook()
    if nb is None:
        return None, (f"Fant ikke den lagrede prøven {ASSIGNMENT}.ipynb i denne mappen. Lagre (Ctrl+S) og "
                      "prøv igjen.")
    cells = nb.setdefault("cells", [])
    for n, (item, options, many, texts) in sorted(QUESTIONS.items()):
        letters, problem, _ = _current(n)
        value = '"' + "".join(letters) + '"' if letters else '""'
        idx = next((i for i, c in enumerate(cells) if c.get("id") == f"{item}-svar"), None)
        if idx is None:  # the answer cell was deleted: put it back before its test cell
            test = next((i for i, c in enumerate(cells) if c.get("id") == f"{item}-test"), len(cells))
            meta = {"nbgrader": {"grade": False, "grade_id": f"{item}-svar", "locked": False,
                                 "schema_version": 3, "solution": True, "task": False},
                    "mhkurs": {"item": item, "options": dict(zip(options, options)), "number": n, "many": many}}
            if test < len(cells) and "mhkurs" in cells[test].get("metadata", {}):
                meta["mhkurs"] = dict(cells[test]["metadata"]["mhkurs"])
            cells.insert(test, {"cell_type": "code", "id": f"{item}-svar", "metadata": meta,
                                "source": f"svar_{n} = {value}\nanswer_buttons({n})\n",
                                "outputs": [], "execution_count": None})
            continue
        cell = cells[idx]
        if cell.get("cell_type") != "code":  # changed to markdown or raw by a stray key
            cell["cell_type"] = "code"
            cell.pop("attachments", None)
        cell["outputs"], cell["execution_count"] = [], None
        lines = _cell_text(cell).splitlines()
        found = False
        for i, line in enumerate(lines):
            if _re.match(rf"^\s*svar_{n}\s*=(?!=)", line):
                lines[i] = f"svar_{n} = {value}"
                found = True
        if not found:
            lines.insert(0, f"svar_{n} = {value}")
        cell["source"] = "\n".join(lines)
    target = _os.path.join(_os.getcwd(), f"{sid}_{ASSIGNMENT}.ipynb")
    try:
        _write_atomically(target, lambda fh: fh.write(_json.dumps(nb, ensure_ascii=False, indent=1) + "\n"))
    except OSError as exc:
        return None, f"Filen kunne ikke skrives ({exc.strerror or exc})."
    return target, (f"✔ Filen «{_os.path.basename(target)}» er klar i samme mappe som prøven. Last den ned "
                    "(høyreklikk på den i filoversikten til venstre og velg Download) og send den til "
                    "instruktøren slik du har fått beskjed om.")


def hand_in_panel():
    """Completeness check and the button that prepares the file for hand-in as a file."""
    text, _, _ = completeness()
    try:
        import ipywidgets as w
        from IPython.display import display
    except ImportError:
        print(text)
        print("Lever på kurs-huben (Nbgrader → Assignment List → Submit) eller som fil: se instruksjonen øverst.")
        return None
    summary = w.HTML(f"<b>{text}</b>")
    check = w.Button(description="Sjekk besvarelsen", icon="check", layout=w.Layout(width="auto"))
    sid = w.Text(placeholder="for eksempel ola.nordmann", description="Deltaker-ID:",
                 style={"description_width": "initial"}, layout=w.Layout(width="auto"))
    prepare = w.Button(description="Klargjør innlevering som fil", icon="file", layout=w.Layout(width="auto"))
    result = w.HTML()

    def on_check(_):
        summary.value = f"<b>{completeness()[0]}</b>"

    def on_prepare(_):
        summary.value = f"<b>{completeness()[0]}</b>"
        _, message = prepare_file(sid.value)
        result.value = f"<span>{message}</span>"

    check.on_click(on_check)
    prepare.on_click(on_prepare)
    display(w.VBox([summary, check,
                    w.HTML("<b>Leverer du som fil?</b> Lagre først (Ctrl+S), skriv deltaker-ID-en din og "
                           "klikk knappen."),
                    sid, prepare, result]))
    return None


def _start():
    shell = get_ipython()  # noqa: F821 (defined in every IPython kernel)
    if not any(getattr(f, "__name__", "") == "_quote_typed_answers" for f in shell.input_transformers_cleanup):
        shell.input_transformers_cleanup.append(_quote_typed_answers)
    shell.set_custom_exc((AnswerProblem,), _show_problem)
