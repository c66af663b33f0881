"""An analyst adds a guidance entry through the page: a bad file is refused, a good one shows."""

import pytest

from routes.guidance import GUIDANCE_DIR

pytestmark = pytest.mark.browser
TIMEOUT_MS = 60_000


def _upload(page, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    page.get_by_text("Add a guidance entry").click()
    page.locator("input[type='file']").set_input_files(str(path))
    page.get_by_role("button", name="Validate and add").click()


def test_upload_refuses_a_bad_entry_and_adds_a_good_one(app_url, offline_page, store_dir, tmp_path):
    page = offline_page.page
    page.goto(f"{app_url}/guidance")
    page.get_by_text("entries").first.wait_for(timeout=TIMEOUT_MS)
    seed = (GUIDANCE_DIR / "verite-introduction-to-grievance-mechanisms.md").read_text()

    bad = seed.replace("year: 2011", "year: 20x1", 1)
    assert bad != seed
    _upload(page, tmp_path, "bad-upload.md", bad)
    error = page.locator("[data-testid='stAlertContentError']")
    error.wait_for(timeout=TIMEOUT_MS)
    assert "bad-upload.md" in error.inner_text() and "year" in error.inner_text()
    assert not (store_dir / "guidance" / "bad-upload.md").exists()

    good = seed.replace(
        'title: "An Introduction to Grievance Mechanisms"',
        "title: Zebra test entry on grievance mechanisms",
        1,
    )
    assert good != seed
    page.reload()
    page.get_by_text("entries").first.wait_for(timeout=TIMEOUT_MS)
    shipped = len(list(GUIDANCE_DIR.glob("*.md"))) - 1  # its README is no entry
    page.get_by_text(f"{shipped} of {shipped} entries").first.wait_for(timeout=TIMEOUT_MS)
    _upload(page, tmp_path, "zebra-test-entry.md", good)
    page.locator("[data-testid='stAlertContentSuccess']").wait_for(timeout=TIMEOUT_MS)
    assert (store_dir / "guidance" / "zebra-test-entry.md").exists()
    # Listed at once, and removable, with no other step (the list kept its old count, and the
    # form to remove it was missing, until the page ran again).
    added = shipped + 1
    page.get_by_text(f"{added} of {added} entries").first.wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("Remove an added entry").wait_for(timeout=TIMEOUT_MS)
    page.get_by_label("Search titles, summaries and tags").fill("Zebra")
    page.keyboard.press("Enter")
    page.get_by_text("Zebra test entry on grievance mechanisms").first.wait_for(timeout=TIMEOUT_MS)
    assert page.locator("[data-testid='stException']").count() == 0
