//! The Results group: ImageJ's Summarize figures of every image, the corrected counts of the
//! selected one, its regions ([`figures`]) and their ImageJ files ([`roi_files`]), Cell Counter
//! marker files and every export ([`files`]), the project file ([`project`]); here the group and what its parts share
//! (downloads, names, summaries).

pub mod figures;
pub mod files;
pub mod project;
pub mod roi_files;

use self::{
    figures::{AllImages, RegionTable, SelectedFigures},
    files::{Exports, MarkerFiles},
    project::ProjectFiles,
    roi_files::RegionFiles,
};

use super::{
    browser::context_2d,
    state::{AppState, PresetChoice, use_app_state},
    viewer::{
        annotate,
        draw::{Target, paint_layers},
    },
};
use crate::count::{Params, roi::count_in_rois, summary::Summary};
use crate::view::viewport::View;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, prelude::*};

/// The app's version, written into every export.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Offers `bytes` as a download named `name`.
pub fn download(name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)
        .map_err(|_| "the browser could not make the file".to_string())?;
    download_blob(name, &blob)
}

fn download_blob(name: &str, blob: &web_sys::Blob) -> Result<(), String> {
    let url = web_sys::Url::create_object_url_with_blob(blob)
        .map_err(|_| "the browser could not make a link to the file".to_string())?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "no link element")?
        .dyn_into()
        .map_err(|_| "no link element")?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Revoke after the click has been handled.
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 1000);
    }
    Ok(())
}

/// The name of image `id`.
pub fn image_name(state: AppState, id: u64) -> String {
    state
        .images
        .items
        .with_untracked(|v| v.iter().find(|i| i.id == id).map(|i| i.name.clone()))
        .unwrap_or_else(|| "image".into())
}

/// The parameters as a file that `Params::from_query` (and `fluocount --params`) reads back.
pub fn params_file(params: &Params) -> String {
    let mut out = format!("// Fluocount {VERSION} parameters\n");
    for pair in params.to_query().split('&') {
        out.push_str(pair);
        out.push('\n');
    }
    out
}

/// The selected image's summary with its corrections and regions, if it is analysed.
pub fn selected_summary(state: AppState) -> Option<(u64, Summary)> {
    let id = state.images.selected.get()?;
    summary_of(state, id).map(|s| (id, s))
}

/// The summary of image `id`.
pub fn summary_of(state: AppState, id: u64) -> Option<Summary> {
    let o = state.counting.outcomes.with(|o| o.get(&id).cloned())?;
    let a = &o.analysis;
    let tally = annotate::tally(state, id);
    let rois = annotate::rois(state, id);
    let removed = tally
        .as_ref()
        .map(|t| t.removed_labels.clone())
        .unwrap_or_default();
    let centroids: Vec<(f64, f64)> = a
        .objects
        .iter()
        .filter(|ob| removed.binary_search(&ob.label).is_err())
        .map(|ob| (ob.x, ob.y))
        .collect();
    let roi_counts = count_in_rois(&rois, &centroids, a.width, a.height);
    let mut summary = Summary::new(&image_name(state, id), a, tally, roi_counts);
    summary.calibration = state.images.calibration_of(id);
    Some(summary)
}

/// The parameters of a table of several images: the current ones, or under *Auto* or with a
/// model one line per image with what it was counted with.
fn all_params_text(state: AppState, images: &[(u64, Summary)]) -> String {
    let model = state.counting.model.with_untracked(|m| m.is_on());
    if !model && !matches!(state.counting.preset.get_untracked(), PresetChoice::Auto(_)) {
        return state.counting.params.get_untracked().to_query();
    }
    let mut out = String::from(if model {
        "each image with a model, over the candidates of its collection"
    } else {
        "auto: each image with the preset of its colour"
    });
    for (id, s) in images {
        out.push_str(&format!(
            "\n{} ({}): {}",
            s.image,
            state.auto_collection(*id),
            state.params_text_for(*id)
        ));
    }
    out
}

/// Reports an export failure in the status line.
fn report(state: AppState, what: &str, r: Result<(), String>) {
    match r {
        Ok(()) => state.counting.status.set(format!("Saved {what}.")),
        Err(e) => state
            .counting
            .status
            .set(format!("Could not save {what}: {e}")),
    }
}

/// The whole image with every layer, at the image's own size (one image pixel, one PNG pixel), as
/// a PNG download: the image-space canvas as it is, and the screen-space layers (numbers,
/// centroids, markers, regions) drawn again for the whole image rather than for the viewport.
fn export_view(state: AppState, name: String) {
    let document = web_sys::window().and_then(|w| w.document());
    let Some(image) = document
        .as_ref()
        .and_then(|d| d.query_selector("[data-testid=viewer]").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    else {
        report(state, &name, Err("the viewer is not shown".into()));
        return;
    };
    let Some(out) = document
        .as_ref()
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    else {
        report(
            state,
            &name,
            Err("the browser could not make a canvas".into()),
        );
        return;
    };
    let (iw, ih) = (image.width(), image.height());
    out.set_width(iw.max(1));
    out.set_height(ih.max(1));
    let Some(ctx) = context_2d(&out) else {
        report(state, &name, Err("the browser could not draw".into()));
        return;
    };
    let _ = ctx.draw_image_with_html_canvas_element(&image, 0.0, 0.0);
    let (w, h) = (f64::from(iw), f64::from(ih));
    paint_layers(
        state,
        &ctx,
        Target {
            view: View {
                zoom: 1.0,
                cx: w / 2.0,
                cy: h / 2.0,
            },
            vw: w,
            vh: h,
            interactive: false,
        },
    );
    let cb = Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
        let r = blob
            .ok_or_else(|| "the browser could not encode the PNG".to_string())
            .and_then(|b| download_blob(&name, &b));
        report(state, &name, r);
    });
    let _ = out.to_blob(cb.unchecked_ref());
}

/// Runs `f` on the selected image's id, name and summary, if it has one.
pub fn with_selected(state: AppState, f: &dyn Fn(u64, String, &Summary)) {
    if let Some((id, s)) = selected_summary(state) {
        f(id, image_name(state, id), &s);
    }
}

/// The selected image's summary (a memo shared by the group's parts).
pub type Selected = Memo<Option<(u64, Summary)>>;

/// Every image's summary (a memo shared by the group's parts).
pub type All = Memo<Vec<(u64, Summary)>>;

/// The summary of every image that was read, in the image list's order.
pub fn all_summaries(state: AppState) -> Vec<(u64, Summary)> {
    let ids: Vec<u64> = state.images.items.with(|v| {
        v.iter()
            .filter(|i| i.status.is_ok())
            .map(|i| i.id)
            .collect()
    });
    ids.into_iter()
        .filter_map(|id| summary_of(state, id).map(|s| (id, s)))
        .collect()
}

/// Summary of all images, the selected image's corrections, regions and exports.
#[component]
pub fn ResultsPanel() -> impl IntoView {
    let state = use_app_state();
    // Each summary once, for every part that shows or exports it.
    let selected = Memo::new(move |_| selected_summary(state));
    let all = Memo::new(move |_| all_summaries(state));
    view! {
        <section class="panel results" aria-label="Results">
            <details class="group" open data-testid="group-results">
                <summary>"Results"</summary>
                <SelectedFigures selected />
                <RegionTable selected />
                <RegionFiles />
                <MarkerFiles />
                <Exports all />
                <ProjectFiles />
                <super::keep::session::KeptStatus />
                <AllImages all />
            </details>
        </section>
    }
}
