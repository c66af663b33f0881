"""Start the app as `streamlit run app.py ARGS...` would, with multipage v1 switched off.

Streamlit decides once per server whether the app is an old-style multipage app: while no
session has yet run `st.navigation`, a `pages/` folder beside app.py makes it serve each file in
`pages/` directly. A link to /corridors opened first after a restart would then show the wrong
navigation, without app.py's page setup. The app registers its pages with `st.navigation`, so
the flag is cleared before the server starts.
"""

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parents[1] / "app.py"

if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    sys.exit(cli.main())
