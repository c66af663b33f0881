"""The guidance library: search, filter by stage, topic, region and audience; add or remove an
entry of the analysts' own."""

from routes import ui

ui.page_setup("Guidance library")
entries = ui.load_guidance()
ui.show_linked_entry(entries)
controls = ui.guidance_search_controls(entries)
ui.show_guidance_results(entries, controls)
ui.guidance_upload_form(entries)
ui.guidance_remove_form(entries)
