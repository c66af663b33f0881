"""The guidance library: search, filter by stage, topic, region and audience; add an entry."""

from routes import ui

ui.page_setup("Guidance library")
entries = ui.load_guidance()
controls = ui.guidance_search_controls(entries)
ui.show_guidance_results(entries, controls)
ui.guidance_upload_form(entries)
