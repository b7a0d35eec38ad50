"""The class platform: JupyterHub with the course, nbgrader's exchange and formgrader.

``hub/jupyterhub_config.py`` is the hub's configuration; this module holds what it, the
``mhkurs hub`` command, the end-to-end test and the benchmark share: the layout of the hub's
state folder, the trial accounts, the proxy's installation and starting/stopping the hub.

State folder (``--state``)::

    home/<user>/             each user's home (HOME): learner record, fetched assignments
    exchange/                nbgrader's exchange shared by the course
    courses/<course id>/     the instructors' nbgrader course folder (source/, release/, ...)
    trial-accounts.json      trial user names and passwords (trial hubs only)
    jupyterhub.sqlite, jupyterhub_cookie_secret, proxy pid file
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .bank.loader import REPO_ROOT

HUB_DIR = REPO_ROOT / "hub"
CONFIG = HUB_DIR / "jupyterhub_config.py"
PROXY = HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
COURSE_ID = "menneskehandel"
TRIAL_LEARNERS = ("deltaker1", "deltaker2", "deltaker3")
TRIAL_INSTRUCTORS = ("instruktor",)
LANDING_URL = "voila/render/course/index.ipynb"  # under /user/<name>/


def ensure_proxy() -> Path:
    """configurable-http-proxy from the npm registry, pinned in hub/package.json (lock file)."""
    if not PROXY.exists():
        npm = shutil.which("npm")
        if not npm:
            raise RuntimeError("npm is missing: install Node.js (Debian: apt-get install nodejs npm)")
        cmd = [npm, "ci" if (HUB_DIR / "package-lock.json").exists() else "install", "--no-audit", "--no-fund"]
        subprocess.run(cmd, cwd=HUB_DIR, check=True, stdout=subprocess.DEVNULL)
    return PROXY


def free_port() -> int:
    """A free port below Linux's ephemeral range (32768+), where kernels and clients take theirs,
    so that nothing else grabs it between this check and the hub binding it."""
    for _ in range(200):
        port = random.randrange(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


def accounts(state: Path, learners=TRIAL_LEARNERS, instructors=TRIAL_INSTRUCTORS) -> dict[str, dict[str, str]]:
    """The trial accounts, kept in ``state/trial-accounts.json`` (made on first use).

    Each account gets its own random password. Users already in the file keep theirs.
    """
    path = Path(state) / "trial-accounts.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    out: dict[str, dict[str, str]] = {}
    for role, names in (("learners", learners), ("instructors", instructors)):
        old = data.get(role, {})
        out[role] = {n: old.get(n) or secrets.token_urlsafe(6) for n in names}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1), encoding="utf-8")
    path.chmod(0o600)
    return out


def prepare_state(state: Path, course_id: str = COURSE_ID) -> Path:
    """Create the state folder: homes, the exchange and the instructors' course folder."""
    state = Path(state).resolve()
    (state / "home").mkdir(parents=True, exist_ok=True)
    exchange = state / "exchange"
    exchange.mkdir(exist_ok=True)
    exchange.chmod(0o777)  # nbgrader's exchange: every user writes their submissions into it
    course = state / "courses" / course_id
    course.mkdir(parents=True, exist_ok=True)
    if not (course / "source").exists():
        shutil.copytree(REPO_ROOT / "assessments" / "source", course / "source")
    return state


@dataclass
class HubSettings:
    state: Path
    ip: str = "127.0.0.1"
    port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001
    gradebook_url: str = ""  # empty: SQLite in the course folder
    learners: tuple[str, ...] = TRIAL_LEARNERS
    instructors: tuple[str, ...] = TRIAL_INSTRUCTORS
    course_id: str = COURSE_ID

    @property
    def url(self) -> str:
        host = "localhost" if self.ip in ("127.0.0.1", "0.0.0.0") else self.ip
        return f"http://{host}:{self.port}/"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("MHKURS_PROGRESS_FILE", None)  # each user's record goes to their own home
        env.update(
            MHKURS_HUB_STATE=str(self.state),
            MHKURS_HUB_IP=self.ip,
            MHKURS_HUB_PORT=str(self.port),
            MHKURS_HUB_INTERNAL_PORT=str(self.hub_port),
            MHKURS_HUB_PROXY_API_PORT=str(self.proxy_api_port),
            MHKURS_HUB_LEARNERS=",".join(self.learners),
            MHKURS_HUB_INSTRUCTORS=",".join(self.instructors),
            MHKURS_COURSE_ID=self.course_id,
            PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        )
        if self.gradebook_url:
            env["MHKURS_GRADEBOOK_URL"] = self.gradebook_url
        return env


def start_hub(settings: HubSettings, log=None) -> subprocess.Popen:
    """Start JupyterHub (which starts the proxy) in its own process group; returns at once."""
    ensure_proxy()
    prepare_state(settings.state, settings.course_id)
    accounts(settings.state, settings.learners, settings.instructors)
    jupyterhub = str(Path(sys.executable).parent / "jupyterhub")
    return subprocess.Popen(
        [jupyterhub, "-f", str(CONFIG)], cwd=settings.state, env=settings.env(),
        stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for_hub(settings: HubSettings, proc: subprocess.Popen | None = None, timeout: float = 120) -> None:
    """Wait until the hub answers through the proxy."""
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{settings.port}/hub/api/"
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"JupyterHub exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"JupyterHub did not answer at {url} within {timeout:.0f} s")


def hub_processes(state: Path) -> list:
    """Processes of this hub: the proxy and user servers and kernels (their command line or
    environment names the state folder). Used to clean up after a hub that did not stop them."""
    import psutil

    mark, found = str(Path(state).resolve()), []
    for p in psutil.process_iter(["pid", "cmdline"]):
        try:
            if p.pid == os.getpid() or p.status() == psutil.STATUS_ZOMBIE:
                continue
            text = " ".join(p.info["cmdline"] or [])
            try:
                text += " " + " ".join(p.environ().values())
            except psutil.AccessDenied:
                pass
            if mark in text:
                found.append(p)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def stop_hub(proc: subprocess.Popen, timeout: float = 60, state: Path | None = None) -> None:
    """Stop the hub: SIGTERM lets it stop the user servers and the proxy; then its whole group,
    and (with ``state``) whatever else it started and left behind, e.g. after a crash."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # anything the hub left behind in its session
    except ProcessLookupError:
        pass
    proc.wait()
    if state is not None:
        import psutil

        left = hub_processes(state)
        for p in left:
            p.terminate()
        _, alive = psutil.wait_procs(left, timeout=10)
        for p in alive:
            p.kill()


def print_trial(settings: HubSettings, accts: dict[str, dict[str, str]]) -> None:
    print(f"Kursplattformen (JupyterHub) kjører på {settings.url}  (Ctrl+C stopper)")
    print("Prøvekontoer – bare for utprøving, ikke for en ekte klasse:")
    for role, label in (("learners", "deltaker"), ("instructors", "instruktør")):
        for name, password in accts[role].items():
            print(f"  {label:<11} brukernavn: {name:<14} passord: {password}")
    print(f"State folder (homes, exchange, course, gradebook): {settings.state}", flush=True)


class HubUser:
    """One person using the hub over HTTP, as a browser would (login form, cookies, OAuth) and
    through the hub's REST API with a token of their own. For the end-to-end test and benchmark."""

    def __init__(self, base_url: str, name: str, password: str):
        import requests

        self.base = base_url.rstrip("/") + "/"
        self.name = name
        self.password = password
        self.http = requests.Session()
        self.token = ""

    def login(self) -> None:
        """Log in through the hub's login form (with its XSRF field)."""
        self.http.get(self.base + "hub/login").raise_for_status()
        r = self.http.post(self.base + "hub/login", allow_redirects=False, data={
            "username": self.name, "password": self.password, "_xsrf": self.http.cookies.get("_xsrf", "")})
        if r.status_code != 302:
            raise PermissionError(f"login of {self.name} failed: HTTP {r.status_code}")

    def make_token(self) -> str:
        """An API token of the user's own (what the hub's token page gives them)."""
        r = self.http.post(self.base + f"hub/api/users/{self.name}/tokens", json={"note": "mhkurs", "expires_in": 7200},
                           headers={"X-XSRFToken": self.http.cookies.get("_xsrf", "")})
        r.raise_for_status()
        self.token = r.json()["token"]
        return self.token

    def api(self, method: str, path: str, **kw):
        """A request with the user's token; ``path`` is relative to the hub's base URL."""
        headers = {"Authorization": f"token {self.token}", **kw.pop("headers", {})}
        return self.http.request(method, self.base + path, headers=headers, timeout=kw.pop("timeout", 300), **kw)

    def start_server(self, timeout: float = 180) -> None:
        r = self.api("POST", f"hub/api/users/{self.name}/server")
        if r.status_code not in (201, 202, 400):  # 400: already running
            r.raise_for_status()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.api("GET", f"hub/api/users/{self.name}").json().get("servers", {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(0.3)
        raise TimeoutError(f"the server of {self.name} did not start in {timeout:.0f} s")

    def server(self, method: str, path: str, **kw):
        """A request to the user's own server (``/user/<name>/<path>``) with their token."""
        return self.api(method, f"user/{self.name}/{path}", **kw)

    def run_code(self, code: str, timeout: float = 120) -> str:
        """Run ``code`` in a new kernel of the user's server (REST + websocket); returns stdout."""
        import websocket

        kid = self.server("POST", "api/kernels", json={"name": "python3"}).json()["id"]
        ws_url = self.base.replace("http", "ws", 1) + f"user/{self.name}/api/kernels/{kid}/channels"
        ws = websocket.create_connection(ws_url, header=[f"Authorization: token {self.token}"], timeout=timeout)
        try:
            msg_id = secrets.token_hex(8)
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "username": self.name, "session": secrets.token_hex(8),
                           "msg_type": "execute_request", "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True}}))
            out, status, idle = [], None, False
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not (status and idle):
                # the reply (shell) and the idle status (iopub) may come in either order
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "stream":
                    out.append(msg["content"]["text"])
                elif kind == "error":
                    raise RuntimeError(f"{msg['content']['ename']}: {msg['content']['evalue']}")
                elif kind == "execute_reply":
                    status = msg["content"]["status"]
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
            if status != "ok":
                raise RuntimeError(f"code did not finish in the kernel of {self.name}: {status}")
            return "".join(out)
        finally:
            ws.close()
            self.server("DELETE", f"api/kernels/{kid}")

    def run_terminal(self, command: str, timeout: float = 300) -> str:
        """Type ``command`` into a new JupyterLab terminal of the user's server; returns its output."""
        import websocket

        name = self.server("POST", "api/terminals").json()["name"]
        ws_url = self.base.replace("http", "ws", 1) + f"user/{self.name}/terminals/websocket/{name}"
        ws = websocket.create_connection(ws_url, header=[f"Authorization: token {self.token}"], timeout=timeout)
        end = f"__done_{secrets.token_hex(4)}__"
        try:
            ws.send(json.dumps(["stdin", f"{command}; echo {end[:4]}''{end[4:]}\r"]))
            out = ""
            deadline = time.monotonic() + timeout
            while end not in out and time.monotonic() < deadline:
                msg = json.loads(ws.recv())
                if msg[0] == "stdout":
                    out += msg[1]
            if end not in out:
                raise TimeoutError(f"{command!r} did not finish in a terminal of {self.name}:\n{out}")
            return out.split(end)[0]
        finally:
            ws.close()
            self.server("DELETE", f"api/terminals/{name}")
