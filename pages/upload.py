"""Add a route dataset: read the file, map its columns, place every name, describe it, save."""

import streamlit as st

from routes import ui

ui.page_setup("Add a route dataset")
st.caption(
    "Upload the route data your organisation collected. Nothing is kept until you save, and a "
    "failed upload leaves the stored datasets as they were."
)
ui.upload_guide()
upload = ui.upload_file_control()
if upload is not None:
    read = ui.read_upload(*upload)
    if read is not None:
        st.caption(read.describe())
        ui.show_read_notes(read)
        st.dataframe(read.frame.drop(columns="geometry", errors="ignore").head(8))
        mapping = ui.mapping_controls(read.frame, ui.propose_upload_mapping(read))
        ui.mapping_download(mapping, read.file_name)
        prepared = ui.prepare_or_explain(read, mapping)
        if prepared is not None:
            ui.show_import_check(prepared)
            st.subheader("Places")
            ui.place_fix_controls(prepared)
            aliases = ui.chosen_aliases(prepared)
            if aliases:
                prepared = ui.prepare_or_explain(read, mapping, aliases)
                ui.show_remaining_unplaced(prepared)
            ui.show_renamed_places(prepared, aliases)
            if prepared is not None and len(prepared.records):
                st.subheader("About the dataset")
                target = ui.version_target_control()
                if target:
                    prepared, aliases = ui.carry_places(read, mapping, prepared, aliases, target)
                    ui.empty_counts_as_before(target, mapping, prepared)
                if target != ui.TARGET_NOT_CHOSEN:
                    info = ui.metadata_form(
                        read.file_name,
                        target,
                        prepared.validation.rows_rejected,
                        ui.small_count_records(prepared),
                    )
                    if info is not None:
                        ui.save_upload(prepared, info, mapping, aliases, target, read.notes)
