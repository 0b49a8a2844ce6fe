//! The Leptos user interface (wasm32 only).

pub mod bench;
pub mod count;
pub mod dropzone;
pub mod image_list;
pub mod overlay_panel;
pub mod params_panel;
pub mod state;
pub mod tasks;
pub mod threshold_control;
pub mod viewer;

use self::{
    count::CountDisplay,
    dropzone::{DropZone, FilePicker},
    image_list::ImageList,
    params_panel::ParamsPanel,
    state::provide_app_state,
    viewer::Viewer,
};
use leptos::prelude::*;

/// Mounts the app.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The whole page: header with the count, parameters, viewer and image list.
#[component]
pub fn App() -> impl IntoView {
    let state = provide_app_state();
    let status = move || state.status.get();
    view! {
        <DropZone>
            <header class="top">
                <div class="brand">
                    <h1>"Fluocount"</h1>
                    <p class="tagline">"Counts fluorescent cells, entirely in your browser"</p>
                </div>
                <FilePicker />
                <p class="status" role="status" data-testid="status">{status}</p>
                <CountDisplay />
            </header>
            <main class="layout">
                <ParamsPanel />
                <Viewer />
                <ImageList />
            </main>
        </DropZone>
    }
}
