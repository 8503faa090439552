"""The production settings, with the knobs the fault tests turn through the environment.

Served by the real server (tests/support/local_server.py) in tests/faults only. Static files come
from the source folders (no collectstatic in a fresh clone); everything else is copsite.settings
with DEBUG off, except:

- COP_FAULT_BUSY_MS: SQLite's busy timeout, so that a locked database fails in a fraction of a
  second rather than the served 10 s; on PostgreSQL the same number is the lock_timeout.
- COP_FAULT_READ_ONLY=1: SQLite opens the file read-only (mode=ro), as it does by itself when
  the file is not writable; SQLITE_READONLY on every write.
- COP_FAULT_MAX_PAGES=N: SQLite may not grow the file past N pages: SQLITE_FULL, "database or
  disk is full", exactly as on a full disk.
"""

import os

from copsite.settings import *  # noqa: F403
from copsite.settings import DATABASES, STORAGES

DEBUG = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

_database = DATABASES["default"]
_busy_ms = int(os.environ.get("COP_FAULT_BUSY_MS", "0"))
if _database["ENGINE"] == "copsite.sqlite":
    _options = _database["OPTIONS"]
    if _busy_ms:
        _options["timeout"] = _busy_ms / 1000
        _options["init_command"] = _options["init_command"].replace(
            "PRAGMA busy_timeout=10000;", f"PRAGMA busy_timeout={_busy_ms};"
        )
    if os.environ.get("COP_FAULT_READ_ONLY") == "1":
        _database["NAME"] = f"file:{_database['NAME']}?mode=ro"
    if os.environ.get("COP_FAULT_MAX_PAGES"):
        _options["init_command"] += (
            f"PRAGMA max_page_count={int(os.environ['COP_FAULT_MAX_PAGES'])};"
        )
elif _busy_ms:
    _database["OPTIONS"]["options"] = f"-c lock_timeout={_busy_ms}"
