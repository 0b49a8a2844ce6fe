//! The page-wide drop target and the file picker.

use super::{
    state::use_app_state,
    tasks::{files_of, take_picked},
};
use leptos::{ev, prelude::*};

/// Wraps the page: files dropped anywhere on it are loaded.
#[component]
pub fn DropZone(children: Children) -> impl IntoView {
    let state = use_app_state();
    let (dragging, set_dragging) = signal(false);
    let on_dragover = move |e: ev::DragEvent| {
        e.prevent_default();
        if let Some(dt) = e.data_transfer() {
            dt.set_drop_effect("copy");
        }
        set_dragging.set(true);
    };
    let on_dragleave = move |e: ev::DragEvent| {
        // Only leaving the window ends the drag, not moving between children.
        if e.related_target().is_none() {
            set_dragging.set(false);
        }
    };
    let on_drop = move |e: ev::DragEvent| {
        e.prevent_default();
        set_dragging.set(false);
        state.load_files(files_of(e.data_transfer().and_then(|dt| dt.files())));
    };
    view! {
        <div
            class="app"
            class:dragging=dragging
            data-testid="dropzone"
            on:dragover=on_dragover
            on:dragleave=on_dragleave
            on:drop=on_drop
        >
            {children()}
            <div class="drop-hint" aria-hidden="true">"Drop images to count them"</div>
        </div>
    }
}

/// A button that opens the file chooser for one or more images.
#[component]
pub fn FilePicker() -> impl IntoView {
    let state = use_app_state();
    let on_change = move |e: ev::Event| state.load_files(take_picked(&e));
    view! {
        <label class="button primary file-picker">
            "Open images…"
            <input
                type="file"
                multiple
                accept="image/png,image/jpeg,image/tiff,.png,.jpg,.jpeg,.tif,.tiff"
                data-testid="file-input"
                on:change=on_change
            />
        </label>
    }
}
