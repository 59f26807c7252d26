"""The one place that reads the process environment.

Settings (`config/settings/`) and any module that needs a deployment value at run time (e.g.
`signing/conf.py`) read it here: `env` (django-environ: `env.str`, `env.bool`, `env.db_url` …)
or `literal` for secrets. Nothing else in the apps reads `os.environ`
(tests/test_conventions.py).
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is optional; real deployments set variables in the process environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def literal(name: str, default: str = "") -> str:
    """The variable exactly as set: `env.str` would read a value starting with "$" as the name
    of another variable, which a PIN or a token may well start with."""
    return env.ENVIRON.get(name, default)


def child_environment(**overrides: str) -> dict[str, str]:
    """The environment for a child process (e.g. tesseract): this process's, with `overrides`."""
    return {**env.ENVIRON, **overrides}
