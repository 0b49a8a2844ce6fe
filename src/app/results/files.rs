//! The Results group's files: Cell Counter marker files in and out, and every export.

use super::{
    All, VERSION, all_params_text, download, export_view, image_name, params_file, report,
    with_selected,
};
use crate::{
    app::{
        browser::{read_text, take_picked},
        state::{PresetChoice, use_app_state},
    },
    count::{
        Params,
        cellcounter::{Action, export_xml, import, parse_xml},
        export,
        summary::Summary,
        table::{self, summary_csv},
    },
};
use leptos::{ev, prelude::*, task::spawn_local};

/// One export button, enabled once the selected image is counted.
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

/// Importing and exporting the selected image's Cell Counter markers (Fiji's XML).
#[component]
pub fn MarkerFiles() -> impl IntoView {
    let state = use_app_state();
    let export_markers = move || {
        with_selected(state, &|id, name: String, _| {
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
    view! {
        <h3>"Cell Counter markers"</h3>
        <div class="row">
            <label class="button small-button file-picker">
                "Import XML…"
                <input type="file" accept=".xml,application/xml,text/xml" data-testid="import-markers"
                    on:change=on_import_markers />
            </label>
            <ExportButton label="Export XML" testid="export-markers" action=export_markers />
        </div>
    }
}

/// The exports of the selected image and of all images, and loading a parameter file.
#[component]
pub fn Exports(
    /// Every image's summary.
    all: All,
) -> impl IntoView {
    let state = use_app_state();
    let export_objects = move || {
        with_selected(state, &|id, name: String, _| {
            let Some(o) = state.counting.outcome_of(id) else {
                return;
            };
            let params = state.params_text_for(id);
            let calibration = state
                .images
                .calibrations
                .with_untracked(|c| c.get(&id).map(|c| c.calibration));
            let text = format!(
                "{}{}",
                export::header(VERSION, &params),
                table::objects_table(&[(name.as_str(), &o.analysis, calibration)])
            );
            let file = export::export_name(&name, "_objects", "csv");
            report(state, &file, download(&file, text.as_bytes(), "text/csv"));
        });
    };
    let export_summary = move || {
        with_selected(state, &|id, name: String, s| {
            let params = state.params_text_for(id);
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
        with_selected(state, &|id, name: String, _| {
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
    let on_load_params = move |e: ev::Event| {
        let Some(file) = take_picked(&e).into_iter().next() else {
            return;
        };
        spawn_local(async move {
            let name = file.name();
            match read_text(&file, 1024 * 1024).await {
                Ok(text) => {
                    let (params, notices) = Params::from_query(&text);
                    state.apply_preset(PresetChoice::Custom, params);
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
    view! {
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
    }
}
