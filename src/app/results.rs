//! The Results group: ImageJ's Summarize figures of every image, the corrected counts of the
//! selected one, its regions, Cell Counter marker files, and every export.

use super::{
    browser::{context_2d, read_text, take_picked},
    state::{AppState, PresetChoice, use_app_state},
    viewer::annotate,
};
use crate::count::{
    Params,
    cellcounter::{Action, export_xml, import, parse_xml},
    export,
    roi::count_in_rois,
    summary::Summary,
    table::{self, summary_csv},
};
use leptos::{ev, prelude::*, task::spawn_local};
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
    Some(Summary::new(&image_name(state, id), a, tally, roi_counts))
}

/// The parameters of a table of several images: the current ones, or under *Auto* one line per
/// image with the preset it was counted with.
fn all_params_text(state: AppState, images: &[(u64, Summary)]) -> String {
    if !matches!(state.counting.preset.get_untracked(), PresetChoice::Auto(_)) {
        return state.counting.params.get_untracked().to_query();
    }
    let mut out = String::from("auto: each image with the preset of its colour");
    for (id, s) in images {
        out.push_str(&format!(
            "\n{} ({}): {}",
            s.image,
            state.auto_collection(*id),
            state.params_for(*id).to_query()
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

/// The current view (image and every layer, as on screen) as a PNG download.
fn export_view(state: AppState, name: String) {
    let document = web_sys::window().and_then(|w| w.document());
    let find = |sel: &str| {
        document
            .as_ref()
            .and_then(|d| d.query_selector(sel).ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    };
    let (Some(image), Some(screen), Some(doc)) = (
        find("[data-testid=viewer]"),
        find("[data-testid=viewer-screen]"),
        document.clone(),
    ) else {
        report(state, &name, Err("the viewer is not shown".into()));
        return;
    };
    let Some(out) = doc
        .create_element("canvas")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    else {
        return;
    };
    let (vw, vh) = state.viewer.viewport.get_untracked();
    out.set_width(vw.round().max(1.0) as u32);
    out.set_height(vh.round().max(1.0) as u32);
    let Some(ctx) = context_2d(&out) else {
        return;
    };
    ctx.set_fill_style_str("#05070a");
    ctx.fill_rect(0.0, 0.0, vw, vh);
    ctx.set_image_smoothing_enabled(false);
    let view = state.viewer.view.get_untracked();
    let (tx, ty) = view.to_screen(0.0, 0.0, vw, vh);
    let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(
        &image,
        tx,
        ty,
        f64::from(image.width()) * view.zoom,
        f64::from(image.height()) * view.zoom,
    );
    let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&screen, 0.0, 0.0, vw, vh);
    let cb = Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
        let r = blob
            .ok_or_else(|| "the browser could not encode the PNG".to_string())
            .and_then(|b| download_blob(&name, &b));
        report(state, &name, r);
    });
    let _ = out.to_blob(cb.unchecked_ref());
}

/// One export button.
#[component]
fn ExportButton(
    label: &'static str,
    testid: &'static str,
    action: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let state = use_app_state();
    view! {
        <button class="button small-button" type="button" data-testid=testid
            disabled=move || state.selected_outcome().is_none()
            on:click=move |_| action()>{label}</button>
    }
}

/// Summary of all images, the selected image's corrections, regions and exports.
#[component]
pub fn ResultsPanel() -> impl IntoView {
    let state = use_app_state();
    let all = Memo::new(move |_| {
        let ids: Vec<u64> = state.images.items.with(|v| {
            v.iter()
                .filter(|i| i.status.is_ok())
                .map(|i| i.id)
                .collect()
        });
        ids.into_iter()
            .filter_map(|id| summary_of(state, id).map(|s| (id, s)))
            .collect::<Vec<_>>()
    });
    let selected = move || selected_summary(state);
    let with_selected = move |f: &dyn Fn(u64, String, &Summary)| {
        if let Some((id, s)) = selected_summary(state) {
            f(id, image_name(state, id), &s);
        }
    };
    let export_objects = move || {
        with_selected(&|id, name: String, _| {
            let Some(o) = state.counting.outcome_of(id) else {
                return;
            };
            let params = state.params_for(id).to_query();
            let text = format!(
                "{}{}\n{}",
                export::header(VERSION, &params),
                table::objects_header(),
                table::objects_csv(&[(name.as_str(), &o.analysis)])
            );
            let file = export::export_name(&name, "_objects", "csv");
            report(state, &file, download(&file, text.as_bytes(), "text/csv"));
        });
    };
    let export_summary = move || {
        with_selected(&|id, name: String, s| {
            let params = state.params_for(id).to_query();
            let text = summary_csv(VERSION, &params, std::slice::from_ref(s));
            let file = export::export_name(&name, "_summary", "csv");
            report(state, &file, download(&file, text.as_bytes(), "text/csv"));
        });
    };
    let export_all = move || {
        let all = all.get_untracked();
        let params = all_params_text(state, &all);
        let rows: Vec<Summary> = all.into_iter().map(|(_, s)| s).collect();
        let text = summary_csv(VERSION, &params, &rows);
        report(
            state,
            "summary.csv",
            download("summary.csv", text.as_bytes(), "text/csv"),
        );
    };
    let export_png = move |labels: bool| {
        with_selected(&|id, name: String, _| {
            let Some(o) = state.counting.outcome_of(id) else {
                return;
            };
            let (suffix, bytes) = if labels {
                ("_labels", export::label_png(&o.analysis))
            } else {
                ("_mask", export::mask_png(&o.analysis))
            };
            let file = export::export_name(&name, suffix, "png");
            report(
                state,
                &file,
                bytes.and_then(|b| download(&file, &b, "image/png")),
            );
        });
    };
    let export_params = move || {
        let name = state
            .images
            .selected
            .get_untracked()
            .map_or_else(|| "fluocount".into(), |id| image_name(state, id));
        let file = export::export_name(&name, "_params", "txt");
        let text = params_file(&state.counting.params.get_untracked());
        report(state, &file, download(&file, text.as_bytes(), "text/plain"));
    };
    let export_markers = move || {
        with_selected(&|id, name: String, _| {
            let Some(o) = state.counting.outcome_of(id) else {
                return;
            };
            let a = &o.analysis;
            let corrections = state
                .annotations
                .corrections
                .with_untracked(|c| c.get(&id).cloned())
                .unwrap_or_default();
            let xml = export_xml(&name, &a.labels, a.width, a.height, a.count(), &corrections);
            let file = format!("CellCounter_{}.xml", export::file_stem(&name));
            report(
                state,
                &file,
                download(&file, xml.as_bytes(), "application/xml"),
            );
        });
    };
    let on_import_markers = move |e: ev::Event| {
        let Some(file) = take_picked(&e).into_iter().next() else {
            return;
        };
        let Some(id) = state.images.selected.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let name = file.name();
            let result = read_text(&file, 16 * 1024 * 1024)
                .await
                .and_then(|t| parse_xml(&t));
            let outcome = state.counting.outcome_of(id);
            match (result, outcome) {
                (Ok(f), Some(o)) => {
                    let a = &o.analysis;
                    let imported = import(&f, &a.labels, a.width, a.height);
                    let n: usize = f.types.iter().map(|t| t.2.len()).sum();
                    state.annotations.corrections.update(|c| {
                        c.entry(id)
                            .or_default()
                            .apply(Action::ImportReplace(Box::new(imported.state().clone())));
                    });
                    state.counting.status.set(format!(
                        "{name}: imported {n} markers in {} types.",
                        f.types.len()
                    ));
                }
                (Ok(_), None) => state
                    .counting
                    .status
                    .set(format!("{name}: the image is not analysed yet; try again")),
                (Err(e), _) => state
                    .counting
                    .status
                    .set(format!("{name}: not a Cell Counter marker file: {e}")),
            }
        });
    };
    let on_load_params = move |e: ev::Event| {
        let Some(file) = take_picked(&e).into_iter().next() else {
            return;
        };
        spawn_local(async move {
            let name = file.name();
            match read_text(&file, 1024 * 1024).await {
                Ok(text) => {
                    let (params, notices) = Params::from_query(&text);
                    state.apply_preset(super::state::PresetChoice::Custom, params);
                    let note = notices
                        .iter()
                        .map(|n| n.message.clone())
                        .collect::<Vec<_>>()
                        .join("; ");
                    state.counting.status.set(if note.is_empty() {
                        format!("Loaded the parameters of {name}.")
                    } else {
                        format!("Loaded the parameters of {name}, with notices: {note}")
                    });
                }
                Err(e) => state.counting.status.set(format!("{name}: {e}")),
            }
        });
    };
    let forget_stale = move |_| {
        let Some(id) = state.images.selected.get_untracked() else {
            return;
        };
        if let Some(t) = annotate::tally(state, id) {
            let action = state
                .annotations
                .corrections
                .with_untracked(|c| c.get(&id).and_then(|c| c.forget_stale(&t)));
            if let Some(a) = action {
                state.annotations.corrections.update(|c| {
                    c.entry(id).or_default().apply(a);
                });
            }
        }
    };
    view! {
        <section class="panel results" aria-label="Results">
            <details class="group" open data-testid="group-results">
                <summary>"Results"</summary>
                {move || selected().map(|(_, s)| view! {
                    <table class="figures" data-testid="summary">
                        <caption>"Summary (ImageJ Summarize)"</caption>
                        <tbody>
                            {table::summarize::<Summary>().into_iter().map(|c| view! {
                                <tr><th scope="row">{c.heading}</th>
                                    <td data-testid=format!("s-{}", c.slug())>{c.text(&s)}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <table class="figures" data-testid="corrections">
                        <caption>"Corrected count (Cell Counter)"</caption>
                        <tbody>
                            <tr><th scope="row">"Automatic"</th><td data-testid="c-automatic">{s.automatic}</td></tr>
                            <tr><th scope="row">"Removed"</th><td data-testid="c-removed">{s.removed}</td></tr>
                            <tr><th scope="row">"Added"</th><td data-testid="c-added">{s.added}</td></tr>
                            <tr><th scope="row">"Corrected"</th><td data-testid="c-total">{s.corrected}</td></tr>
                            {s.per_type.iter().map(|(id, name, n)| view! {
                                <tr><th scope="row">{format!("Type {id}: {name}")}</th>
                                    <td data-testid=format!("c-type-{id}")>{*n}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    {(s.stale > 0).then(|| view! {
                        <p class="small" data-testid="c-stale">
                            {format!("{} removal(s) no longer apply: their object is gone with these parameters. ", s.stale)}
                            <button class="linklike" type="button" on:click=forget_stale>"Forget them"</button>
                        </p>
                    })}
                    <table class="figures rois" data-testid="roi-table">
                        <caption>"Regions (count by centroid)"</caption>
                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Count"</th><th scope="col">"Area px"</th><th scope="col">"per Mpx"</th><th scope="col"><span class="sr-only">"Delete"</span></th></tr></thead>
                        <tbody>
                            {s.rois.iter().enumerate().map(|(i, r)| {
                                let input_id = format!("roi-name-{i}");
                                view! {
                                    <tr data-testid="roi-row">
                                        <td>
                                            <label class="sr-only" for=input_id.clone()>"Region name"</label>
                                            <input id=input_id class="short-text" type="text" maxlength="40" data-testid="roi-name"
                                                prop:value=r.name.clone()
                                                on:change=move |e| {
                                                    let name = event_target_value(&e).trim().to_string();
                                                    if let (false, Some(id)) = (name.is_empty(), state.images.selected.get_untracked()) {
                                                        state.annotations.rois.update(|m| if let Some(roi) = m.get_mut(&id).and_then(|l| l.get_mut(i)) { roi.name = name; });
                                                    }
                                                } />
                                        </td>
                                        <td data-testid="roi-count">{r.count}</td>
                                        <td>{r.area_px}</td>
                                        <td data-testid="roi-density">{format!("{:.1}", r.density_per_mpx)}</td>
                                        <td><button class="remove" type="button" data-testid="roi-delete" aria-label=format!("Delete {}", r.name)
                                            on:click=move |_| if let Some(id) = state.images.selected.get_untracked() {
                                                state.annotations.rois.update(|m| if let Some(l) = m.get_mut(&id) && i < l.len() { l.remove(i); });
                                            }>"×"</button></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    {s.rois.is_empty().then(|| view! {
                        <p class="small">"Draw a rectangle (r) or polygon (p) on the image to count inside it."</p>
                    })}
                })}
                <h3>"Cell Counter markers"</h3>
                <div class="row">
                    <label class="button small-button file-picker">
                        "Import XML…"
                        <input type="file" accept=".xml,application/xml,text/xml" data-testid="import-markers"
                            on:change=on_import_markers />
                    </label>
                    <ExportButton label="Export XML" testid="export-markers" action=export_markers />
                </div>
                <h3>"Export"</h3>
                <div class="row exports">
                    <ExportButton label="Objects CSV" testid="export-objects" action=export_objects />
                    <ExportButton label="Summary CSV" testid="export-summary" action=export_summary />
                    <ExportButton label="Label image" testid="export-labels" action=move || export_png(true) />
                    <ExportButton label="Mask" testid="export-mask" action=move || export_png(false) />
                    <ExportButton label="View PNG" testid="export-view" action=move || {
                        if let Some(id) = state.images.selected.get_untracked() {
                            export_view(state, export::export_name(&image_name(state, id), "_view", "png"));
                        }
                    } />
                    <button class="button small-button" type="button" data-testid="export-params"
                        on:click=move |_| export_params()>"Parameters"</button>
                    <button class="button small-button" type="button" data-testid="export-all"
                        disabled=move || all.with(Vec::is_empty)
                        on:click=move |_| export_all()>"Summary of all images"</button>
                    <label class="button small-button file-picker">
                        "Load parameters…"
                        <input type="file" accept=".txt,text/plain" data-testid="load-params" on:change=on_load_params />
                    </label>
                </div>
                <table class="figures all-images" data-testid="all-summary">
                    <caption>"All images"</caption>
                    <thead><tr><th scope="col">"Image"</th><th scope="col">"Count"</th><th scope="col">"Corrected"</th><th scope="col">"%Area"</th></tr></thead>
                    <tbody>
                        {move || all.get().into_iter().map(|(_, s)| view! {
                            <tr data-testid="all-row">
                                <th scope="row" class="name">{s.image.clone()}</th>
                                <td>{s.summarize.count}</td>
                                <td>{s.corrected}</td>
                                <td>{format!("{:.2}", s.summarize.percent_area)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
}
