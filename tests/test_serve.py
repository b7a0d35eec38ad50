"""`mhkurs serve` (what scripts/serve runs): the course address comes last and plainly, warnings nobody can act
on are not shown, and Ctrl+C or SIGTERM stops Voila and its kernels and removes the temporary site folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import psutil
import pytest
from test_browser import free_port

from mhkurs.bank.loader import REPO_ROOT
from mhkurs.cli import serve_line_is_noise


def test_noise_filter_keeps_errors_and_drops_what_nobody_can_act_on():
    for noise in ("[Voila] WARNING | Notebook modules/05-myter.ipynb is not trusted",
                  "[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All communication ...",
                  "[Voila] Kernel started: 097bb9ed", "[Voila] Storing connection files in /tmp/voila_x.", ""):
        assert serve_line_is_noise(noise), noise
    for keep in ("[Voila] ERROR | Uncaught exception GET /voila/render/x", "Traceback (most recent call last):",
                 "[Voila] WARNING | Could not find a template", '  File "x.py", line 3, in <module>'):
        assert not serve_line_is_noise(keep), keep


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_the_address_last_and_stops_cleanly(tmp_path, how):
    port = free_port()
    env = dict(os.environ, TMPDIR=str(tmp_path), MHKURS_PROGRESS_FILE="")
    proc = subprocess.Popen([sys.executable, "-m", "mhkurs.cli", "serve", f"--port={port}"], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    url = f"http://localhost:{port}/voila/render/course/index.ipynb"
    try:
        deadline = time.time() + 180
        while not any(url in line for line in lines):
            assert proc.poll() is None and time.time() < deadline, "".join(lines)
            time.sleep(0.5)
        with urllib.request.urlopen(url.replace("localhost", "127.0.0.1"), timeout=120) as r:
            assert r.status == 200
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("mhkurs-site-")]
        tree = psutil.Process(proc.pid).children(recursive=True)
        assert any("ipykernel" in " ".join(p.cmdline()) for p in tree if p.is_running())  # a kernel serves the page
        time.sleep(3)  # let the pool and the page's kernel log what they log
        shown = [line.rstrip("\n") for line in lines if line.strip()]
        assert shown[-1].strip() == url, shown  # the address is the last thing on the screen
        assert not any("trusted" in s or "encryption" in s or "Deprecat" in s for s in shown), shown
    finally:
        proc.send_signal(how)
        try:
            code = proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    reader.join(5)
    assert code == 0, "".join(lines)
    assert "Kurset er stoppet." in "".join(lines)
    time.sleep(1)
    left = [p.pid for p in tree if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert left == [], f"processes left after {how.name}: {left}"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("mhkurs-site-")], "temporary site folder left"
