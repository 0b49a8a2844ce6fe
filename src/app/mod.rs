//! The Leptos user interface (wasm32 only): one context of state ([`state`]), loading files
//! ([`load`]), the pool of Web Workers that decodes, counts, scores and draws ([`pool`], with the
//! workers' entry points in [`worker`]), and the components: the viewer ([`viewer`]), the side
//! panels ([`panels`]), links and remote images ([`links`]), batch runs ([`batch`]), the Results
//! panel, the objects table and *Try all*. `ARCHITECTURE.md` has the map.

pub mod batch;
#[cfg(feature = "bench")]
pub mod bench;
pub mod browser;
pub mod count;
pub mod dropzone;
pub mod keep;
pub mod learn;
pub mod links;
pub mod load;
pub mod objects_table;
pub mod panels;
pub mod pool;
pub mod results;
pub mod state;
pub mod try_all;
pub mod viewer;
pub mod worker;

use self::{
    batch::{panel::BatchPanel, run::provide_batch_state},
    count::CountDisplay,
    dropzone::{DropZone, FilePicker},
    objects_table::ObjectsTable,
    panels::{image_list::ImageList, metrics::Metrics, params::ParamsPanel, tune::TunePanel},
    results::ResultsPanel,
    state::provide_app_state,
    try_all::TryAll,
    viewer::{Viewer, toolbar::HelpPanel},
};
use leptos::prelude::*;

/// Mounts the app.
pub fn start() {
    console_error_panic_hook::set_once();
    // In a worker (which loads this same module) there is nothing to mount: the worker calls
    // `worker::worker_handle` itself.
    if web_sys::window().is_none() {
        return;
    }
    if let Err(reason) = pool::start_pool() {
        web_sys::console::warn_1(
            &format!("Fluocount: no Web Workers ({reason}); the analysis runs on the page").into(),
        );
    }
    leptos::mount::mount_to_body(App);
}

/// The whole page: header with the count, parameters, viewer and image list.
#[component]
pub fn App() -> impl IntoView {
    let state = provide_app_state();
    provide_batch_state();
    learn::session::provide_learning();
    links::share::provide_links(state);
    keep::session::provide_keeping(state);
    // With the automatic preset, the parameters follow the selected image's collection.
    Effect::new(move |_| {
        if state.images.selected.get().is_some()
            && matches!(
                state.counting.preset.get_untracked(),
                state::PresetChoice::Auto(_)
            )
        {
            state.choose_auto_preset();
        }
    });
    let status = move || state.counting.status.get();
    // The first thing Tab reaches: past the header and the settings to the image (or, before
    // one is open, the demos). It moves the focus itself: the address's `#` part is the share link.
    let skip = move |e: leptos::ev::MouseEvent| {
        e.prevent_default();
        if let Some(centre) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("centre"))
            .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok())
        {
            let _ = centre.focus();
        }
    };
    view! {
        <DropZone>
            <a class="skip-link" href="#centre" data-testid="skip-link" on:click=skip>
                "Skip to the image and demos"
            </a>
            <header class="top">
                <div class="brand">
                    <h1>"Fluocount"</h1>
                    <p class="tagline">"Counts fluorescent cells, entirely in your browser"</p>
                </div>
                <FilePicker />
                <links::gallery::DemosMenu />
                <links::share::CopyLink />
                <learn::panel::OwnModelLinkNote />
                <p class="status" role="status" data-testid="status"
                    data-busy=move || (state.counting.busy.get() > 0).to_string()>{status}</p>
                <Show when=move || state.loading.progress.get().is_some()>
                    <div class="loading">
                        <progress data-testid="load-progress" aria-label="Files read"
                            max=move || state.loading.progress.get().map_or(1, |l| l.1).to_string()
                            value=move || state.loading.progress.get().map_or(0, |l| l.0).to_string()></progress>
                        <button class="button small-button" type="button" data-testid="load-cancel"
                            on:click=move |_| state.cancel_loading()>"Cancel"</button>
                    </div>
                </Show>
                <CountDisplay />
            </header>
            <main class="layout">
                <ParamsPanel />
                <div class="centre" id="centre" tabindex="-1">
                    <links::share::LinkNotices />
                    <keep::session::KeptNotice />
                    <links::remote::ImageSource />
                    <Viewer />
                    <details class="drawer objects-drawer" data-testid="objects-drawer">
                        <summary>"Objects table"</summary>
                        <ObjectsTable />
                    </details>
                    <TryAll />
                    <BatchPanel />
                </div>
                <div class="side">
                    <ImageList />
                    <panels::scale::ScalePanel />
                    <ResultsPanel />
                    <Metrics />
                    <learn::panel::LearnPanel />
                    <TunePanel />
                </div>
            </main>
            <HelpPanel />
        </DropZone>
    }
}
