"""Run submission kernels inside bubblewrap.

nbgrader executes every submission in a Jupyter kernel. Here that kernel is
started by :class:`SandboxKernelManager`, which wraps the ipykernel command in
``bwrap``:

* the filesystem is empty except for the system's ``/usr`` (read-only), the
  Python installation and virtual environment the kernel needs (read-only),
  the submission's own folder (read-only, as ``/home/deltaker/<assignment>``),
  a small private writable ``/tmp`` and home, and one private folder for the
  kernel's connection sockets;
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


class SandboxUnavailable(RuntimeError):
    pass


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
    made = set()
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
    size = str(tmp_mb * 1024 * 1024)
    cmd += ["--proc", "/proc", "--dev", "/dev",
            "--perms", "1777", "--size", size, "--tmpfs", "/tmp",
            "--perms", "1777", "--size", size, "--tmpfs", HOME,
            "--ro-bind", workdir, work, "--chdir", work,
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
            self._private = tempfile.mkdtemp(prefix="mhkurs-kernel-")
            self.ip = os.path.join(self._private, "ipc")
            self.connection_file = os.path.join(self._private, "kernel.json")
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        if self._uid is not None:
            os.chown(self._private, self._uid, self._uid)
            os.chown(self.connection_file, self._uid, self._uid)
        cmd = bwrap_command(kernel_cmd, workdir, self._private, uid=self._uid,
                            cpu_seconds=self.cpu_seconds, memory_mb=self.memory_mb,
                            max_processes=self.max_processes, tmp_mb=self.tmp_mb, file_mb=self.file_mb)
        kw["env"] = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        kw["cwd"] = "/"
        return cmd, kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self._private:
            shutil.rmtree(self._private, ignore_errors=True)
            self._private = None


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
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    c.Autograde.autograde_preprocessors = [SandboxedExecute if p is Execute else p for p in default]
    return "sandboxed"
