"""Start the app with `streamlit run` on a free port, and drive it in headless Chromium.

The app is awaited on /_stcore/health, never with a sleep. Requests to any host but the app's
own are blocked and recorded, so a test can assert that the page works offline. A failing test
leaves a screenshot in tests/browser/artifacts/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = os.environ.get("ROUTES_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT_S = 90
LOCAL_HOSTS = {"localhost", "127.0.0.1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        # Polling interval of the health check, not a wait for the app.
        time.sleep(0.2)
    raise TimeoutError(f"the app did not answer on {url}/_stcore/health in {timeout_s} s")


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory) -> Path:
    """The app's store for this test session: what tests upload never touches var/."""
    return tmp_path_factory.mktemp("store")


@pytest.fixture(scope="session")
def app_url(tmp_path_factory, store_dir):
    port = _free_port()
    log_path = tmp_path_factory.mktemp("app") / "streamlit.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scripts" / "serve.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],  # fmt: skip
        cwd=ROOT,
        env={**os.environ, "ROUTES_STORE_DIR": str(store_dir)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://localhost:{port}"
    try:
        _wait_healthy(url, process, STARTUP_TIMEOUT_S)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class OfflinePage:
    """A page whose requests to other hosts are blocked and listed in ``blocked``."""

    def __init__(self, page):
        self.page = page
        self.blocked: list[str] = []
        page.context.route("**/*", self._route)

    def _route(self, route):
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()


@pytest.fixture
def offline_page(browser, request):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    wrapped = OfflinePage(page)
    yield wrapped
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
