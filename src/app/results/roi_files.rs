//! The selected image's regions to and from ImageJ: **Import ROIs…** (`.roi` files and RoiSet
//! `.zip`s, also when dropped on the page) and **Export ROIs** (one region as `NAME.roi`, several
//! as `RoiSet.zip`), through `count::roi_file`.

use super::download;
use crate::{
    app::{
        browser::{read_bytes, take_picked},
        state::{AppState, use_app_state},
    },
    count::roi_file::{read_rois, write_rois},
};
use leptos::{ev, prelude::*, task::spawn_local};

/// The largest region file read (a RoiSet of 10,000 outlines is a few MiB).
const MAX_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// Whether a file's name says it holds ImageJ regions (`.roi` or `.zip`), for the drop zone.
pub fn is_roi_file(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".roi") || n.ends_with(".zip")
}

/// Adds the regions of `files` to the selected image's, all or nothing: one file that does not
/// read leaves the regions as they were, and the status line names it and the reason.
pub async fn import(state: AppState, files: Vec<web_sys::File>) {
    let status = state.counting.status;
    let Some(id) = state.images.selected.get_untracked() else {
        status.set("Open an image before importing its regions.".into());
        return;
    };
    let mut read = Vec::new();
    for file in &files {
        let name = file.name();
        let rois = if file.size() > MAX_BYTES {
            Err(format!(
                "{:.0} MiB, the limit is {:.0} MiB",
                file.size() / 1048576.0,
                MAX_BYTES / 1048576.0
            ))
        } else {
            read_bytes(file)
                .await
                .and_then(|bytes| read_rois(&bytes, &name))
        };
        match rois {
            Ok(r) => read.extend(r),
            Err(e) => {
                status.set(format!("{name}: not imported, no region changed: {e}"));
                return;
            }
        }
    }
    if state.images.selected.get_untracked() != Some(id) {
        status.set("The image changed while reading; no region was imported.".into());
        return;
    }
    let n = read.len();
    state
        .annotations
        .rois
        .update(|m| m.entry(id).or_default().extend(read));
    let from = match &files[..] {
        [one] => one.name(),
        many => format!("{} files", many.len()),
    };
    status.set(format!("{from}: imported {n} region(s)."));
}

/// The import and export buttons of the selected image's regions.
#[component]
pub fn RegionFiles() -> impl IntoView {
    let state = use_app_state();
    let none = move || {
        state.images.selected.get().is_none_or(|id| {
            state
                .annotations
                .rois
                .with(|m| m.get(&id).is_none_or(Vec::is_empty))
        })
    };
    let on_import = move |e: ev::Event| {
        let files = take_picked(&e);
        if !files.is_empty() {
            spawn_local(import(state, files));
        }
    };
    let on_export = move |_| {
        let Some(id) = state.images.selected.get_untracked() else {
            return;
        };
        let list = state
            .annotations
            .rois
            .with_untracked(|m| m.get(&id).cloned().unwrap_or_default());
        let Some(written) = write_rois(&list) else {
            return;
        };
        let message = match written.and_then(|(file, bytes)| {
            download(&file, &bytes, "application/octet-stream").map(|()| file)
        }) {
            Ok(file) => format!("Saved {file}."),
            Err(e) => format!("Could not export the regions: {e}"),
        };
        state.counting.status.set(message);
    };
    view! {
        <h3>"ImageJ ROIs"</h3>
        <div class="row">
            <label class="button small-button file-picker"
                title="ImageJ .roi files or a RoiSet .zip: rectangles, polygons, freehand, traced and ovals">
                "Import ROIs…"
                <input type="file" accept=".roi,.zip,application/zip" multiple data-testid="import-rois"
                    on:change=on_import />
            </label>
            <button class="button small-button" type="button" data-testid="export-rois"
                title="One region as NAME.roi, several as RoiSet.zip, as Fiji's ROI Manager reads them"
                disabled=none
                on:click=on_export>"Export ROIs"</button>
        </div>
    }
}
