"""Run submission kernels inside bubblewrap.

nbgrader executes every submission in a Jupyter kernel. Here that kernel is
started by :class:`SandboxKernelManager`, which wraps the ipykernel command in
``bwrap``:

* the filesystem is empty except for the system's ``/usr`` (read-only), the
  Python installation and virtual environment the kernel needs (read-only),
  the submission's own folder (read-only, as ``/home/deltaker/<assignment>``),
  a small private writable ``/tmp`` and home, and one private folder for the
  kernel's connection sockets. The private ``/tmp`` and home are mounted
  first and the Python folders on top, so a virtual environment that lives
  under ``/tmp`` (a clone in a temporary folder) is still there; a layout
  that cannot work (Python inside the sandbox's home, or holding ``/tmp``) is
  refused with a message saying what to move;
* no network: the kernel has its own network namespace (only its own, empty
  loopback). It talks to nbgrader over Unix sockets (jupyter_client's ``ipc``
  transport) in the private folder, so it needs no TCP;
* its own PID, IPC and UTS namespaces; an empty environment (no instructor
  variables or tokens); it dies with nbgrader;
* limits: CPU seconds, address space, number of processes (per sandbox), file
  size, no core dumps. Run as root, the kernel additionally runs as a fresh
  unprivileged user id.

``configure(c)`` (called from ``assessments/nbgrader_config.py``) replaces
nbgrader's ``Execute`` preprocessor in autograde by :class:`SandboxedExecute`.
Without bubblewrap autograde refuses to run, unless the instructor opts out
explicitly with ``MHKURS_SANDBOX=off``, which is logged.
"""

from __future__ import annotations

import datetime as _dt
import getpass
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer

HOME = "/home/deltaker"
TOOLS = {"bwrap": "bubblewrap", "prlimit": "util-linux", "setpriv": "util-linux"}
OPT_OUT_ENV = "MHKURS_SANDBOX"
OPT_OUT_LOG = "sandbox-optout.log"

INSTALL_HINT = (
    "Install bubblewrap first (Debian/Ubuntu: `sudo apt-get install bubblewrap`; "
    "Fedora: `sudo dnf install bubblewrap`), then run the command again. "
    f"To grade WITHOUT a sandbox anyway (student code then runs with your rights), set {OPT_OUT_ENV}=off; "
    f"every such run is logged in {OPT_OUT_LOG}."
)


PRIVATE_PREFIX = "mhkurs-kernel-"  # + "<pid of the grading process>-": see sweep_stale()
# Where the sandbox puts something of its own: a Python folder there (or holding it) would hide it.
_RESERVED = {"/tmp": "private /tmp", HOME: "home folder", "/proc": "/proc", "/dev": "/dev"}


class SandboxUnavailable(RuntimeError):
    pass


def layout_problem(python_dirs: list[str] | None = None) -> str | None:
    """Why the kernel's Python folders cannot be mounted in the sandbox, or None."""
    for d in python_dirs if python_dirs is not None else _python_dirs():
        d = os.path.normpath(d)
        for place, what in _RESERVED.items():
            if d == place or place.startswith(d.rstrip("/") + "/") or d.startswith(place + "/"):
                if d.startswith("/tmp/") and place == "/tmp":
                    continue  # mounted on top of the private /tmp: works
                return (f"Autograde refused: the Python environment {d} lies where the sandbox puts its "
                        f"own {what} ({place}), so the submissions' kernels could not start. Create the "
                        "virtual environment somewhere else (for example `python3 -m venv /opt/mhkurs-venv`, "
                        "or `scripts/setup-env` in a course folder outside " + place + ") and run the command "
                        "again.")
    return None


def remove_private(path: str | os.PathLike) -> None:
    """Remove a kernel's private folder, whatever a submission did to the permissions inside it."""
    def retry(func, p, _exc):
        try:
            os.chmod(os.path.dirname(p), 0o700)
            if os.path.isdir(p) and not os.path.islink(p):
                os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass

    shutil.rmtree(path, onerror=retry)
    if os.path.lexists(path):  # a last attempt after the permissions were opened
        shutil.rmtree(path, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(tmp: str | None = None) -> list[str]:
    """Remove private folders whose grading process is gone (a grading that was killed)."""
    removed = []
    root = Path(tmp or tempfile.gettempdir())
    for path in root.glob(PRIVATE_PREFIX + "*"):
        pid, dash, _ = path.name[len(PRIVATE_PREFIX):].partition("-")
        if dash and pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)) and path.is_dir():
            remove_private(path)
            removed.append(str(path))
    return removed


def missing_tools() -> list[str]:
    """The sandbox's programs that are not installed (``setpriv`` only matters for root)."""
    needed = ["bwrap", "prlimit"] + (["setpriv"] if os.geteuid() == 0 else [])
    return [t for t in needed if shutil.which(t) is None]


def refusal(missing: list[str]) -> str:
    pkgs = sorted({TOOLS[t] for t in missing})
    return (f"Autograde refused: student code must run in a sandbox, but {', '.join(missing)} "
            f"(package {', '.join(pkgs)}) is not installed. " + INSTALL_HINT)


def opted_out() -> bool:
    return os.environ.get(OPT_OUT_ENV, "").strip().lower() in ("off", "0", "no", "false")


def log_opt_out(course_dir: str | os.PathLike, command: list[str]) -> Path:
    """Record an unsandboxed run in ``<course>/sandbox-optout.log`` and warn on stderr."""
    path = Path(course_dir) / OPT_OUT_LOG
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is not a reason to stop
        user = str(os.getuid())
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"{stamp}\t{user}\t{OPT_OUT_ENV}=off\t{' '.join(command)}\n")
    print(f"WARNING: {OPT_OUT_ENV}=off – submissions run WITHOUT a sandbox, with your rights "
          f"(logged in {path}).", file=sys.stderr)
    return path


def _python_dirs() -> list[str]:
    """Folders the kernel's Python needs, outside /usr: the installation and the venv."""
    dirs = []
    for p in (sys.base_prefix, sys.prefix, os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))):
        p = os.path.realpath(p)
        if p.startswith("/usr/") or p == "/usr" or p in dirs:
            continue
        dirs.append(p)
    # Keep only the outermost folders (a venv inside the installation needs no second mount).
    return [d for d in dirs if not any(d != o and d.startswith(o + "/") for o in dirs)]


def bwrap_command(kernel_cmd: list[str], workdir: str, private: str, *, uid: int | None,
                  cpu_seconds: int, memory_mb: int, max_processes: int, tmp_mb: int,
                  file_mb: int) -> list[str]:
    """The full command: bwrap around prlimit (and setpriv as root) around the kernel command."""
    bwrap = shutil.which("bwrap")
    prlimit = shutil.which("prlimit")
    if bwrap is None or prlimit is None:
        raise SandboxUnavailable(refusal(missing_tools()))
    work = f"{HOME}/{os.path.basename(os.path.normpath(workdir)) or 'innlevering'}"
    venv_bin = os.path.join(sys.prefix, "bin")
    cmd = [bwrap, "--die-with-parent", "--new-session",
           "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
           "--hostname", "sandkasse"]
    if uid is None:  # not root: an unprivileged user namespace (also counts processes per sandbox)
        cmd += ["--unshare-user"]
    cmd += ["--clearenv",
            "--setenv", "HOME", HOME, "--setenv", "TMPDIR", "/tmp", "--setenv", "LANG", "C.UTF-8",
            "--setenv", "PATH", f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
            "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "PYTHONNOUSERSITE", "1",
            "--ro-bind", "/usr", "/usr"]
    for d in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(d):
            cmd += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            cmd += ["--ro-bind", d, d]
    for f in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime"):
        cmd += ["--ro-bind-try", f, f]
    problem = layout_problem()
    if problem:
        raise SandboxUnavailable(problem)
    # The private /tmp and home first, the Python folders on top of them: a venv under /tmp (a clone
    # in a temporary folder) would otherwise be hidden by the fresh /tmp.
    size = str(tmp_mb * 1024 * 1024)
    cmd += ["--proc", "/proc", "--dev", "/dev",
            "--perms", "1777", "--size", size, "--tmpfs", "/tmp",
            "--perms", "1777", "--size", size, "--tmpfs", HOME]
    made = {"/tmp"}
    for d in _python_dirs():
        # Parents such as a 0700 home would hide the folder from the sandbox's user: create them
        # as plain 0755 folders (they hold nothing else inside the sandbox).
        parts = Path(d).parts
        for i in range(2, len(parts)):
            parent = str(Path(*parts[:i]))
            if parent not in made and not parent.startswith("/usr"):
                cmd += ["--perms", "0755", "--dir", parent]
                made.add(parent)
        cmd += ["--ro-bind", d, d]
    cmd += ["--ro-bind", workdir, work, "--chdir", work,
            "--bind", private, private,
            "--remount-ro", "/",
            "--"]
    if uid is not None:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            raise SandboxUnavailable(refusal(["setpriv"]))
        cmd += [setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
                "--inh-caps=-all", "--bounding-set=-all", "--"]
    mb = 1024 * 1024
    cmd += [prlimit, f"--cpu={cpu_seconds}", f"--as={memory_mb * mb}", f"--nproc={max_processes}",
            f"--fsize={file_mb * mb}", "--core=0", "--"]
    return cmd + list(kernel_cmd)


class SandboxKernelManager(AsyncKernelManager):
    """A Python kernel started inside bubblewrap, talking over Unix sockets (``ipc``)."""

    cpu_seconds = Integer(120, help="CPU seconds per kernel (all cells together).").tag(config=True)
    memory_mb = Integer(2048, help="Address-space limit per process, MiB.").tag(config=True)
    max_processes = Integer(64, help="Processes and threads per sandbox.").tag(config=True)
    tmp_mb = Integer(64, help="Size of the private /tmp and home, MiB each.").tag(config=True)
    file_mb = Integer(16, help="Largest file the kernel may write, MiB.").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._private: str | None = None  # created when the kernel starts
        self.transport = "ipc"
        self._uid = random.SystemRandom().randrange(2_000_000, 3_000_000) if os.geteuid() == 0 else None
        # Always our own Python with ipykernel, whatever kernel the notebook names: a submission
        # cannot pick a kernel installed elsewhere.
        self._sandbox_spec = KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                  "--IPKernelApp.log_level=CRITICAL"],  # no "Ctrl-C will not work" note per submission
            display_name="Python 3 (sandkasse)", language="python",
            interrupt_mode="message",  # a signal to bwrap would not reach the kernel
            env={}, metadata={},
        )

    @property
    def kernel_spec(self) -> KernelSpec:
        return self._sandbox_spec

    async def _async_pre_start_kernel(self, **kw):
        workdir = os.path.realpath(kw.get("cwd") or os.getcwd())
        if self._private is None:  # one private folder for the connection file and the sockets
            self._private = tempfile.mkdtemp(prefix=f"{PRIVATE_PREFIX}{os.getpid()}-")
            self.ip = os.path.join(self._private, "ipc")
            self.connection_file = os.path.join(self._private, "kernel.json")
        try:
            kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
            if self._uid is not None:
                os.chown(self._private, self._uid, self._uid)
                os.chown(self.connection_file, self._uid, self._uid)
            cmd = bwrap_command(kernel_cmd, workdir, self._private, uid=self._uid,
                                cpu_seconds=self.cpu_seconds, memory_mb=self.memory_mb,
                                max_processes=self.max_processes, tmp_mb=self.tmp_mb, file_mb=self.file_mb)
        except BaseException:
            self._remove_private()  # the kernel never started: nothing of it stays behind
            raise
        kw["env"] = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        kw["cwd"] = "/"
        return cmd, kw

    def _remove_private(self) -> None:
        if self._private:
            remove_private(self._private)
            self._private = None

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self._remove_private()

    # jupyter_client's AsyncKernelManager binds ``cleanup_resources`` to the base class's function, so
    # the override above would be skipped where nbclient cleans up after a kernel that died (a fork or
    # memory bomb, a time-out, a kernel that never started): route it through the override.
    async def cleanup_resources(self, restart: bool = False) -> None:  # type: ignore[override]
        await self._async_cleanup_resources(restart=restart)

    def __del__(self):  # a manager dropped without any clean-up (an error in nbgrader between cells)
        try:
            self._remove_private()
        except Exception:  # noqa: BLE001 - never raise from a finaliser
            pass


def _sandboxed_execute_class():
    from nbgrader.preprocessors import Execute

    class SandboxedExecute(Execute):
        """nbgrader's Execute, with every kernel in the sandbox."""

        def __init__(self, *args, **kwargs):
            kwargs["kernel_manager_class"] = SandboxKernelManager
            super().__init__(*args, **kwargs)

        def preprocess(self, nb, resources=None, km=None):
            missing = missing_tools()
            if missing:
                raise SandboxUnavailable(refusal(missing))
            problem = layout_problem()
            if problem:
                raise SandboxUnavailable(problem)
            sweep_stale()  # private folders of a grading that was killed before it could clean up
            return super().preprocess(nb, resources, km)

    return SandboxedExecute


SandboxedExecute = _sandboxed_execute_class()


def _running_autograde(argv: list[str]) -> bool:
    return len(argv) > 1 and os.path.basename(argv[0]).startswith("nbgrader") and argv[1] == "autograde"


def configure(c, course_dir: str | os.PathLike, argv: list[str] | None = None) -> str:
    """Sandbox nbgrader's autograde in config ``c``; returns ``"sandboxed"`` or ``"opted-out"``.

    Refuses (exit status 2, with how to install bubblewrap) when an autograde is started
    without the sandbox's programs and without the explicit opt-out.
    """
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    argv = list(sys.argv if argv is None else argv)
    if opted_out():
        log_opt_out(course_dir, argv)
        return "opted-out"
    missing = missing_tools()
    if missing and _running_autograde(argv):
        print(refusal(missing), file=sys.stderr)
        raise SystemExit(2)
    problem = layout_problem()
    if problem and _running_autograde(argv):
        print(problem, file=sys.stderr)
        raise SystemExit(2)
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    c.Autograde.autograde_preprocessors = [SandboxedExecute if p is Execute else p for p in default]
    return "sandboxed"
