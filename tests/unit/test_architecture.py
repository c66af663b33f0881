"""House rules that keep the package testable without Streamlit."""

import ast
from pathlib import Path

import routes

PACKAGE = Path(routes.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_ui_imports_streamlit():
    offenders = [
        path.name
        for path in PACKAGE.glob("*.py")
        if path.name != "ui.py" and {"streamlit", "streamlit_folium"} & _imports(path)
    ]
    assert offenders == []


def test_no_cdn_address_in_app_code():
    root = PACKAGE.parents[1]
    files = [root / "app.py", *root.glob("pages/*.py"), *PACKAGE.glob("*.py")]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for host in ("cdn.", "cdnjs.", "unpkg.", "code.jquery", "netdna."):
            assert f"//{host}" not in text, f"{path.name} names a CDN ({host})"
