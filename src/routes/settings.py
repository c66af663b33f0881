"""Where the shipped data lives, and the settings a deployment may change by environment."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository's ``data/`` folder: gazetteer, source tables, guidance library.
DATA_DIR = Path(os.environ.get("ROUTES_DATA_DIR", Path(__file__).resolve().parents[2] / "data"))
