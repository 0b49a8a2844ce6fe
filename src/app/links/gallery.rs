//! The demo gallery: one card per built-in demo with its link, the dataset's credit and licence,
//! and the field to open an image from a URL. On the start page while no image is loaded, and
//! under "Demos" in the header afterwards.

use super::{
    context::use_links,
    open_url::OpenUrl,
    share::{demo_fragment, open_link},
};
use crate::{
    app::state::use_app_state,
    web::{
        demos::SYNTH_WIDTH,
        demos::{ATTRIBUTION, Demo, DemoKind, demos},
        links::synth_name,
    },
};
use leptos::{ev, html, prelude::*};
use wasm_bindgen::JsCast;

/// What a demo is, in one line.
fn what(demo: &Demo) -> String {
    match demo.kind {
        DemoKind::Real {
            collection,
            true_count: Some(n),
            ..
        } => format!(
            "Real sample ({} collection) with its ground-truth mask: {n} cells, so it shows its score.",
            collection.name()
        ),
        DemoKind::Real { collection, .. } => {
            format!(
                "Real sample ({} collection), without a mask.",
                collection.name()
            )
        }
        DemoKind::Synth(spec) => format!(
            "Made in your browser ({SYNTH_WIDTH}x{} pixels, {}) with its true mask, so it shows its score.",
            crate::web::demos::SYNTH_HEIGHT,
            synth_name(&spec)
        ),
    }
}

/// The credit the licence asks for, with a link to the licence.
#[component]
pub fn Attribution() -> impl IntoView {
    let a = ATTRIBUTION;
    view! {
        <p class="attribution small" data-testid="attribution">
            "Sample images: "<cite>{a.dataset}</cite>" dataset, "{a.authors}", "{a.institution}
            "; licensed "
            <a href=a.licence_url rel="license noopener noreferrer" target="_blank"
                data-testid="licence-link">{a.licence}</a>"."
        </p>
    }
}

/// One card per demo, the URL field and the credit. `on_open` runs after a card is opened
/// (the header menu closes itself).
#[component]
pub fn Gallery(
    /// Runs after a card is opened.
    #[prop(optional)]
    on_open: Option<Callback<()>>,
) -> impl IntoView {
    let state = use_app_state();
    let links = use_links();
    let cards = demos()
        .iter()
        .map(|demo| {
            let href = move || format!("#{}", demo_fragment(state, demo));
            let on_click = move |e: ev::MouseEvent| {
                // A plain click opens here; a middle or modified click opens the link elsewhere.
                if e.button() != 0 || e.ctrl_key() || e.meta_key() || e.shift_key() || e.alt_key() {
                    return;
                }
                e.prevent_default();
                let fragment = untrack(|| demo_fragment(state, demo));
                open_link(state, links, &fragment);
                if let Some(cb) = on_open {
                    cb.run(());
                }
            };
            view! {
                <li class="demo-card" data-testid=format!("demo-{}", demo.id)>
                    <a class="demo-title" href=href data-testid=format!("demo-open-{}", demo.id)
                        on:click=on_click>{demo.title}</a>
                    <p class="small">{what(demo)}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="gallery" data-testid="gallery">
            <h3>"Demos"</h3>
            <ul class="demo-cards">{cards}</ul>
            <Attribution />
            <OpenUrl />
        </div>
    }
}

/// "Demos" in the header, once an image is shown (before, the gallery is on the start page).
/// A press anywhere outside it closes it, Escape too (in the page's key handler), and so do
/// choosing a demo and "Copy link"; opening it dismisses the copy feedback, which would show
/// over it.
#[component]
pub fn DemosMenu() -> impl IntoView {
    let state = use_app_state();
    let links = use_links();
    let menu = NodeRef::<html::Details>::new();
    let close = Callback::new(move |()| links.demos_open.set(false));
    let handle = window_event_listener(ev::pointerdown, move |e| {
        if !links.demos_open.get_untracked() {
            return;
        }
        let target = e.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let inside = menu
            .get_untracked()
            .is_some_and(|m| m.contains(target.as_ref()));
        if !inside {
            links.demos_open.set(false);
        }
    });
    on_cleanup(move || handle.remove());
    // Closed with the focus inside (Escape, a demo chosen): the focus goes back to "Demos".
    Effect::new(move |_| {
        if links.demos_open.get() {
            return;
        }
        let Some(m) = menu.get_untracked() else {
            return;
        };
        let focused = document().active_element();
        if focused.as_ref().is_some_and(|f| m.contains(Some(f)))
            && let Some(summary) = m
                .query_selector("summary")
                .ok()
                .flatten()
                .and_then(|s| s.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = summary.focus();
        }
    });
    // Without an image there is no menu: it comes back closed.
    Effect::new(move |_| {
        if state.images.selected.get().is_none() {
            links.demos_open.set(false);
        }
    });
    let on_summary = move |_: ev::MouseEvent| {
        // The click (or Enter) opens a closed menu: clear its place first, in the same task.
        if menu.get_untracked().is_some_and(|d| !d.open()) {
            links.copied.set(None);
        }
    };
    let on_toggle = move |_: ev::Event| {
        // The menu also opens and closes by itself (a summary click, find in page).
        let open = menu.get_untracked().is_some_and(|d| d.open());
        if open != links.demos_open.get_untracked() {
            links.demos_open.set(open);
        }
        if open {
            links.copied.set(None);
        }
    };
    view! {
        <Show when=move || state.images.selected.get().is_some()>
            <details class="demos-menu" data-testid="demos-menu" node_ref=menu
                prop:open=move || links.demos_open.get() on:toggle=on_toggle>
                <summary class="button" on:click=on_summary>"Demos"</summary>
                <div class="demos-popup">
                    <Gallery on_open=close />
                </div>
            </details>
        </Show>
    }
}
