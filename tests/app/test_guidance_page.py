"""The guidance page searches and filters; the map page shows the related-guidance panel."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 120


def _guidance_page() -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S).run()
    app.switch_page("pages/guidance.py").run()
    assert not app.exception
    return app


def _shown_count(app) -> tuple[int, int]:
    caption = next(c.value for c in app.caption if " of " in c.value and "entries" in c.value)
    shown, total = caption.split(" entries")[0].split(" of ")
    return int(shown), int(total)


def test_guidance_page_lists_the_whole_library_first():
    shown, total = _shown_count(_guidance_page())
    assert shown == total >= 15


def test_search_and_stage_filter_narrow_the_list():
    app = _guidance_page()
    app.text_input(key="guidance_query").set_value("referral").run()
    searched, total = _shown_count(app)
    assert 0 < searched < total
    assert any("Referral" in expander.label for expander in app.expander)
    app.text_input(key="guidance_query").set_value("").run()
    app.multiselect(key="guidance_stages").set_value(["border-and-transit"]).run()
    staged, _ = _shown_count(app)
    assert 0 < staged < total
    app.multiselect(key="guidance_topics").set_value(["domestic-work"]).run()
    both, _ = _shown_count(app)
    assert both <= staged
    assert not app.exception


def test_map_page_shows_general_guidance_with_nothing_selected():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S).run()
    assert not app.exception
    markdown = " ".join(block.value for block in app.markdown)
    assert "Related guidance" in markdown
    assert "National Referral Mechanisms" in markdown
    assert "Nepal's Human Trafficking Routes" in markdown


def test_focusing_a_destination_changes_the_panel():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S).run()
    app.selectbox(key="flows_focus").set_value("country:QAT").run()
    assert not app.exception
    captions = " ".join(c.value for c in app.caption)
    assert "For the selection: Qatar" in captions
    markdown = " ".join(block.value for block in app.markdown)
    assert "Focus: Qatar" in markdown
    assert "Nepal to Kuwait and Qatar" in markdown


def test_about_page_names_each_dataset_with_its_source_and_caveats():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S).run()
    app.switch_page("pages/about_data.py").run()
    assert not app.exception
    text = " ".join(block.value for block in app.markdown)
    assert "Department of Foreign Employment" in text
    assert "India needs no permit" in text
    assert "synthetic demonstration data" in text


def test_an_added_entry_can_be_removed_from_the_page(tmp_path, monkeypatch):
    import routes.ui
    from routes.guidance import GUIDANCE_DIR

    source = GUIDANCE_DIR / "verite-introduction-to-grievance-mechanisms.md"
    text = source.read_text(encoding="utf-8").replace("title:", "title: Our notes on", 1)
    (tmp_path / "our-grievance-notes.md").write_text(text, encoding="utf-8")
    monkeypatch.setattr(routes.ui, "GUIDANCE_UPLOAD_DIR", tmp_path)
    app = _guidance_page()
    shown, total = _shown_count(app)
    assert app.selectbox(key="guidance_remove_choice").value == "our-grievance-notes"
    app.button(key="guidance_remove").click().run()
    assert not app.exception
    assert "Removed 'Our notes on" in app.success[0].value
    assert _shown_count(app) == (shown - 1, total - 1)
    assert not (tmp_path / "our-grievance-notes.md").exists()
    assert not [box for box in app.selectbox if box.key == "guidance_remove_choice"]


def test_a_search_ranks_and_says_where_it_matched_or_offers_entries_with_some_words():
    app = _guidance_page()
    app.text_input(key="guidance_query").set_value("recruitment fees").run()
    first = app.expander[0].label
    assert first.startswith("General Principles and Operational Guidelines for Fair Recruitment")
    assert "(matches in the title, tags, summary)" in first
    app.text_input(key="guidance_query").set_value("kickbacks penguin").run()
    captions = [caption.value for caption in app.caption]
    assert "No entry holds every word of 'kickbacks penguin'; 1 holds some of them:" in captions
    assert not any(" of " in c and "entries" in c for c in captions)  # no "0 of 21 entries"
    assert app.expander[0].label.startswith("Nepal to Kuwait and Qatar")


def test_a_search_finds_a_countrys_region_synonyms_and_then_entries_with_some_words():
    """ "Saudi Arabia" and "housemaid" found nothing; "women domestic workers Gulf" one entry,
    the Gulf's report on domestic work not offered (a ministry analyst's walkthrough)."""
    app = _guidance_page()
    app.text_input(key="guidance_query").set_value("Saudi Arabia").run()
    shown, _ = _shown_count(app)
    titles = [expander.label for expander in app.expander]
    assert shown >= 2 and any(title.startswith("Nepal to Kuwait and Qatar") for title in titles)
    app.text_input(key="guidance_query").set_value("housemaid").run()
    assert _shown_count(app)[0] >= 1
    assert any("Domestic Workers Convention" in e.label for e in app.expander)
    app.text_input(key="guidance_query").set_value("women domestic workers Gulf").run()
    shown, _ = _shown_count(app)
    more = next(c.value for c in app.caption if "some of the words" in c.value)
    assert int(more.split()[0]) >= 1
    labels = [expander.label for expander in app.expander]
    assert "Domestic Workers Convention" in labels[0]
    assert any(label.startswith("Nepal to Kuwait and Qatar") for label in labels[shown:])


def test_a_city_abroad_found_through_its_region_says_so():
    """ "Dubai" listed seven entries, none naming Dubai, and nothing said why (an analyst's
    walkthrough); "passport confiscation" found no entry, though the ILO indicators list
    retained identity documents."""
    app = _guidance_page()
    app.text_input(key="guidance_query").set_value("Dubai").run()
    captions = [caption.value for caption in app.caption]
    assert "'Dubai' is read as a place in the Gulf: entries on the Gulf are listed too." in captions
    assert _shown_count(app)[0] >= 2
    app.text_input(key="guidance_query").set_value("passport confiscation").run()
    assert not any("read as a place" in caption.value for caption in app.caption)
    assert any(
        "ILO Indicators of Forced Labour" in e.label for e in app.expander[: _shown_count(app)[0]]
    )


def test_an_origin_province_filter_is_the_guidance_selection():
    """A Madhesh filter read "Nothing selected: general starting points" (a helper's
    walkthrough)."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)
    app.query_params["province"] = "Madhesh"
    app.run()
    assert not app.exception
    captions = " ".join(c.value for c in app.caption)
    assert "For the selection: Madhesh" in captions
    assert "an origin province" in captions  # why an entry matches


def test_a_destination_region_filter_is_the_guidance_selection_with_the_other_filters():
    """Women in the Gulf read "For the filters: female; then general starting points", the
    region ignored and the Gulf's entries left out (a ministry analyst's walkthrough)."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)
    app.query_params["region"] = "Gulf"
    app.query_params["sex"] = "female"
    app.run()
    assert not app.exception
    captions = [c.value for c in app.caption]
    assert "For the selection: Gulf; and the filters: Female" in captions
    panel = " ".join(m.value for m in app.markdown)
    assert "Nepal to Kuwait and Qatar" in panel and "Domestic Workers Convention" in panel


def test_a_region_filter_keeps_the_guidance_that_applies_worldwide_unless_asked_not_to():
    """Region Malaysia gave 1 of 20 entries, and with topic fair recruitment none, while the
    flow map offered the ILO's worldwide guidelines for Malaysia (a helper's walkthrough)."""
    app = _guidance_page()
    app.multiselect(key="guidance_regions").set_value(["Malaysia"]).run()
    with_worldwide, total = _shown_count(app)
    app.toggle(key="guidance_worldwide").set_value(False).run()
    malaysia_only, _ = _shown_count(app)
    assert 1 <= malaysia_only < with_worldwide < total
    app.toggle(key="guidance_worldwide").set_value(True).run()
    app.multiselect(key="guidance_topics").set_value(["fair-recruitment-and-fees"]).run()
    assert _shown_count(app)[0] >= 1
    assert any("Fair Recruitment" in expander.label for expander in app.expander)


def test_a_search_of_the_library_lives_in_the_link():
    """A search and its filters could not be shared (a helper's walkthrough)."""
    app = _guidance_page()
    app.text_input(key="guidance_query").set_value("recruitment").run()
    app.multiselect(key="guidance_regions").set_value(["Malaysia"]).run()
    app.toggle(key="guidance_worldwide").set_value(False).run()
    shown = _shown_count(app)
    params = {name: app.query_params[name] for name in app.query_params}
    assert params["q"] in ("recruitment", ["recruitment"])
    assert params["region"] in ("Malaysia", ["Malaysia"]) and params["worldwide"] in ("0", ["0"])
    # The same link, opened afresh, gives the same list; an unknown value is left out.
    again = AppTest.from_file(str(ROOT / "pages/guidance.py"), default_timeout=TIMEOUT_S)
    # A value in another case is read (the region was dropped without a word).
    again.query_params.update(
        {"q": "recruitment", "region": ["malaysia", "Atlantis"], "worldwide": "0"}
    )
    again.run()
    assert not again.exception
    assert again.text_input(key="guidance_query").value == "recruitment"
    assert again.multiselect(key="guidance_regions").value == ["Malaysia"]
    assert _shown_count(again) == shown
    notices = " ".join(info.value for info in again.info)
    assert "The link's region 'Atlantis' is not one the library has; ignored." in notices


def test_entries_with_some_of_the_words_are_those_the_filters_keep():
    """With Region Malaysia (worldwide guidance off) and "fees", ten entries of other regions
    were offered as holding some of the words (a helper's walkthrough)."""
    app = _guidance_page()
    app.multiselect(key="guidance_regions").set_value(["Malaysia"]).run()
    app.toggle(key="guidance_worldwide").set_value(False).run()
    malaysia, _ = _shown_count(app)
    app.text_input(key="guidance_query").set_value("fees").run()
    assert _shown_count(app)[0] <= malaysia
    app.text_input(key="guidance_query").set_value("recruitment fees").run()
    captions = " ".join(c.value for c in app.caption)
    if "hold some of them" in captions:
        offered = int(captions.split("; ")[1].split(" hold")[0])
        assert offered <= malaysia
    assert not app.exception


def test_an_added_entrys_unknown_region_is_said():
    """An entry for "Atlantis" was added without a word, and no place pointed to it (a helper's
    walkthrough); every shipped entry's regions are known."""
    from routes.guidance import GUIDANCE_DIR, read_guidance_library
    from routes.ui import unknown_regions

    assert not [r for e in read_guidance_library(GUIDANCE_DIR) for r in unknown_regions(e.regions)]
    assert unknown_regions(["Atlantis", "malaysia", "Gulf", "Europe", "Global"]) == ["Atlantis"]


def test_a_search_that_finds_nothing_says_what_to_try():
    """ "kafala" and "visit visa" read "0 of 20 entries" and nothing more (an analyst's
    walkthrough): the page says no entry holds the word, and what to try."""
    app = _guidance_page()
    app.text_input(key="guidance_query").set_value("kafala").run()
    captions = [caption.value for caption in app.caption]
    said = next(c for c in captions if "No entry holds 'kafala'" in c)
    assert "Try a broader word" in said and "among those the filters keep" not in said
    assert _shown_count(app)[0] == 0
    app.multiselect(key="guidance_stages").set_value(["border-and-transit"]).run()
    captions = [caption.value for caption in app.caption]
    said = next(c for c in captions if "No entry holds 'kafala'" in c)
    assert "among those the filters keep" in said and "clear the filters" in said
