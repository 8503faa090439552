"""Django set up in this process on a throwaway SQLite database, for the in-process benchmarks
(request_cost.py, debrief_cost.py): no server, no network, only what Django and the app cost."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(prefix: str) -> Path:
    """Configure and set up Django on a new SQLite file; the folder that holds it."""
    sys.path.insert(0, str(ROOT))
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="copsite.settings",
        COP_SQLITE_PATH=str(folder / "db.sqlite3"),
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="testserver",
        COP_BENCH="1",
        COP_LOG_LEVEL="ERROR",
    )
    import django

    django.setup()
    return folder
