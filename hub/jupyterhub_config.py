"""JupyterHub for a class: learners take the course and hand in assignments, instructors grade.

Start a trial class with ``mhkurs hub`` (see docs/HOSTING.md, "A class on JupyterHub"); that
command sets the environment below and runs ``jupyterhub -f hub/jupyterhub_config.py``.
For a real class, load this file from your own configuration and replace the trial login
(docs/HOSTING.md shows OAuthenticator and LTI 1.3)::

    load_subconfig("/opt/menneskehandel/hub/jupyterhub_config.py")
    c.JupyterHub.authenticator_class = "generic-oauth"

Environment (``mhkurs hub`` sets all of it):

    MHKURS_HUB_STATE            state folder: homes, exchange, course folder, hub database
    MHKURS_HUB_IP / _PORT       public address (127.0.0.1:8000)
    MHKURS_HUB_INTERNAL_PORT    the hub's own port behind the proxy (8081)
    MHKURS_HUB_PROXY_API_PORT   configurable-http-proxy's API port (8001)
    MHKURS_HUB_LEARNERS         trial learner user names, comma separated (group "learners")
    MHKURS_HUB_INSTRUCTORS      trial instructor user names (group "instructors")
    MHKURS_COURSE_ID            nbgrader course id (menneskehandel)
    MHKURS_GRADEBOOK_URL        nbgrader's db_url: postgresql://... for a class; default SQLite

Learners' servers open on the course's landing page rendered by Voila; their home (HOME) is
``<state>/home/<name>``, so their learner record is theirs. Their JupyterLab has nbgrader's
Assignments tab (fetch, submit, fetch feedback) and no formgrader. Instructors' servers open
JupyterLab on the course folder with formgrader.

The spawner is SimpleLocalProcessSpawner: every server runs as the system user that runs the
hub, so users are not isolated from each other on disk. That is fine for a trial; a real class
runs on Kubernetes (hub/z2jh-values.yaml) or with one system account per user.
"""

import os
import secrets
import sys
from pathlib import Path

from jupyterhub.auth import Authenticator

from mhkurs.hub import HUB_DIR, LANDING_URL, PROXY, accounts, prepare_state
from mhkurs.bank.loader import REPO_ROOT

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

STATE = prepare_state(Path(os.environ.get("MHKURS_HUB_STATE", "~/mhkurs-hub")).expanduser(),
                      os.environ.get("MHKURS_COURSE_ID", "menneskehandel"))
COURSE_ID = os.environ.get("MHKURS_COURSE_ID", "menneskehandel")
COURSE_DIR = STATE / "courses" / COURSE_ID
EXCHANGE = STATE / "exchange"
GRADEBOOK_URL = os.environ.get("MHKURS_GRADEBOOK_URL") or f"sqlite:///{COURSE_DIR / 'gradebook.db'}"


def _names(var: str, default: str) -> list[str]:
    return [n.strip() for n in os.environ.get(var, default).split(",") if n.strip()]


# Trial accounts (set by `mhkurs hub`). Empty for a real class: the identity provider or the
# hub's admin page puts users in the groups.
LEARNERS = _names("MHKURS_HUB_LEARNERS", "")
INSTRUCTORS = _names("MHKURS_HUB_INSTRUCTORS", "")

# --- network: the proxy in front, the hub behind it -------------------------------------------
IP = os.environ.get("MHKURS_HUB_IP", "127.0.0.1")
c.JupyterHub.bind_url = f"http://{IP}:{os.environ.get('MHKURS_HUB_PORT', '8000')}/"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ.get('MHKURS_HUB_INTERNAL_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('MHKURS_HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [str(PROXY)]  # from hub/package.json (npm)
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server

# --- who is who ---------------------------------------------------------------------------------
c.JupyterHub.load_groups = {
    "learners": {"users": LEARNERS},
    "instructors": {"users": INSTRUCTORS},
    # nbgrader's own course groups (its course list and JupyterHub auth plugin read these names)
    f"nbgrader-{COURSE_ID}": {"users": LEARNERS},
    f"formgrade-{COURSE_ID}": {"users": INSTRUCTORS},
}
c.JupyterHub.load_roles = [
    {
        "name": "instructor",
        "description": "See the class in the hub's admin page (who is logged in); no access to learners' servers",
        "groups": ["instructors"],
        "scopes": ["admin-ui", "list:users", "read:users", "read:groups", "read:servers"],
    },
]
c.Authenticator.allowed_users = set(LEARNERS) | set(INSTRUCTORS)


class TrialAuthenticator(Authenticator):
    """Trial logins: one random password per trial account, in <state>/trial-accounts.json.

    For trials only. A real class logs in through the organisation's identity provider.
    """

    async def authenticate(self, handler, data):
        accts = accounts(STATE, LEARNERS, INSTRUCTORS)
        password = {**accts["learners"], **accts["instructors"]}.get(data.get("username", ""))
        if password and secrets.compare_digest(password, data.get("password", "")):
            return data["username"]
        return None


c.JupyterHub.authenticator_class = TrialAuthenticator
# The hub's own pages (frame, login, home, start, errors) in Norwegian bokmål; each template extends
# JupyterHub's own ("templates/<name>.html") and replaces only its text.
c.JupyterHub.template_paths = [str(HUB_DIR / "templates")]
c.JupyterHub.template_vars = {
    "announcement_login": "Prøveoppsett av kurset: logg inn med en av prøvekontoene instruktøren har fått.",
    # the hub's home page: the way from the course pages to the graded assignments in JupyterLab
    "announcement_home": 'Innleveringsoppgaver: åpne <a href="user-redirect/lab">JupyterLab</a> og velg '
                         "Nbgrader → Assignment List. Kurset: trykk «Til kurset» (eller «Start kurset»).",
}

# --- each user's server ---------------------------------------------------------------------------
c.JupyterHub.spawner_class = "simple"  # SimpleLocalProcessSpawner: no system accounts needed
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.args = ["--allow-root"] if os.getuid() == 0 else []


def pre_spawn_hook(spawner):
    """Learner or instructor: their folder, their configuration, their first page."""
    groups = {g.name for g in spawner.user.groups}
    home = Path(spawner.home_dir)
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "MHKURS_REPO": str(REPO_ROOT),
        "MHKURS_COURSE_ID": COURSE_ID,
        "MHKURS_EXCHANGE": str(EXCHANGE),
        "MHKURS_HUB_ONE_SYSTEM_USER": "1",
        # the course's Voila template (share/jupyter/voila/templates/mhkurs)
        "JUPYTER_PATH": str(REPO_ROOT / "share" / "jupyter"),
    }
    if "instructors" in groups:
        env.update(
            JUPYTER_CONFIG_PATH=str(HUB_DIR / "jupyter" / "instructor"),
            MHKURS_COURSE_DIR=str(COURSE_DIR),
            MHKURS_GRADEBOOK_URL=GRADEBOOK_URL,
        )
        spawner.notebook_dir = str(COURSE_DIR)  # formgrader needs the course folder as server root
        spawner.default_url = "/lab"
    else:
        from mhkurs.cli import build_site

        build_site(home)  # course/index.ipynb and modules/*.ipynb (links to this checkout)
        env["JUPYTER_CONFIG_PATH"] = str(HUB_DIR / "jupyter" / "learner")
        spawner.notebook_dir = str(home)
        spawner.default_url = "/" + LANDING_URL
    spawner.environment = env


c.Spawner.pre_spawn_hook = pre_spawn_hook
