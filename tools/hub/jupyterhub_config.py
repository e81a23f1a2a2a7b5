# ruff: noqa: F821  (``c`` and ``get_config`` are given by JupyterHub when it loads this file)
"""JupyterHub configuration for the course's demo and test hub (``make hub``).

Everything listens on 127.0.0.1 only: the proxy's public side, its API, the hub and every
user's server. Students are demo users (any name, one shared password) whose servers run as
the hub's own user (``SimpleLocalProcessSpawner``: no system accounts), each in its own home
folder under the state folder, from the hub's venv, which holds the course's pinned
environment (requirements.lock), ``helpers`` and nbgitpuller.

All settings come from environment variables that ``tools/hub/hub.py`` sets; start the hub
with that script, not with ``jupyterhub`` directly.
"""

import os
from pathlib import Path

c = get_config()

STATE = Path(os.environ["UNROLLED_HUB_STATE"])
VENV_BIN = Path(os.environ["UNROLLED_HUB_VENV_BIN"])

# -- network: loopback only -------------------------------------------------------------
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ["UNROLLED_HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ["UNROLLED_HUB_API_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['UNROLLED_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [os.environ["UNROLLED_CHP"]]
c.Spawner.ip = "127.0.0.1"

# -- state: inside the state folder ----------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every student's server

# -- who may log in: demo users, one shared password ---------------------------------------
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = os.environ["UNROLLED_HUB_PASSWORD"]
c.Authenticator.allow_all = True
# The load test and the no-loss test manage servers through a service token of their own.
if os.environ.get("UNROLLED_HUB_SERVICE_TOKEN"):
    c.JupyterHub.services = [
        {"name": "course-admin", "api_token": os.environ["UNROLLED_HUB_SERVICE_TOKEN"]}
    ]
    c.JupyterHub.load_roles = [
        {
            "name": "course-admin",
            "scopes": ["admin:users", "admin:servers", "admin:server_state", "tokens"],
            "services": ["course-admin"],
        }
    ]

# -- each student's server ---------------------------------------------------------------
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "users" / "{username}")
c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
if os.geteuid() == 0:  # containers and CI machines often run as root
    c.Spawner.args = ["--allow-root"]
c.Spawner.environment = {
    "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
    # One BLAS thread, as in the Makefile; matplotlib's font cache built once, shared.
    "OPENBLAS_NUM_THREADS": "1",
    "MPLCONFIGDIR": str(STATE / "matplotlib"),
    "JUPYTER_PLATFORM_DIRS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}
# A whole class may press the link at once on a small machine: allow slow starts.
c.Spawner.start_timeout = int(os.environ.get("UNROLLED_HUB_START_TIMEOUT", "300"))
c.Spawner.http_timeout = int(os.environ.get("UNROLLED_HUB_START_TIMEOUT", "300"))
c.JupyterHub.concurrent_spawn_limit = 0  # no limit: the load test measures what happens
# A browser that follows an nbgitpuller link to a stopped server starts it without a click.
c.JupyterHub.implicit_spawn_seconds = 0.5
