"""Where the shipped data lives, and the settings a deployment may change by environment."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository's ``data/`` folder: gazetteer, source tables, guidance library.
DATA_DIR = Path(os.environ.get("ROUTES_DATA_DIR", Path(__file__).resolve().parents[2] / "data"))

#: Where the app keeps what analysts add (uploaded guidance entries, later datasets). Outside the
#: repository's tracked files; a deployment points it at persistent storage.
STORE_DIR = Path(os.environ.get("ROUTES_STORE_DIR", Path(__file__).resolve().parents[2] / "var"))
