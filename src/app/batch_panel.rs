//! The batch drawer: pick a folder or many files, watch the progress, read the table as results
//! stream in, export the CSV, open any image in the viewer.

use super::{
    batch::{BatchState, Row, RowState, THUMB_CSS_WIDTH, batch_params, use_batch_state},
    results::{VERSION, download},
    state::{AppState, use_app_state},
    tasks::{path_of, take_picked},
};
use crate::core::batch::{Progress, batch_csv, clock, summarize};
use leptos::{ev, html, prelude::*};

/// The files picked in a batch input, with their paths (relative within a picked folder).
fn picked_with_paths(e: &ev::Event) -> Vec<(String, web_sys::File)> {
    take_picked(e)
        .into_iter()
        .map(|f| (path_of(&f), f))
        .collect()
}

fn progress_text(p: Progress, running: bool) -> String {
    let mut s = format!(
        "{} of {} · {} elapsed",
        p.done,
        p.total,
        clock(p.elapsed_ms)
    );
    if let Some(left) = p.remaining_ms().filter(|_| running) {
        s.push_str(&format!(" · {} left", clock(left)));
    }
    if p.done > 0 {
        s.push_str(&format!(" · {:.1} images/s", p.rate()));
    }
    s
}

fn ratio(x: f64) -> String {
    format!("{x:.3}")
}

/// One row of the table.
fn row_view(state: AppState, batch: BatchState, row: Row) -> impl IntoView {
    let index = row.index;
    let open = move |_| {
        let files = batch.files_of(index);
        state.load_files(files);
        batch.show.set(false);
    };
    let name = row.name.clone();
    let mask = row.mask.clone().unwrap_or_default();
    match row.state {
        RowState::Waiting => view! {
            <tr data-testid="batch-row" data-state="waiting">
                <td></td><td class="name">{name}</td><td class="name">{mask}</td>
                <td colspan="8" class="muted">"waiting"</td><td></td>
            </tr>
        }
        .into_any(),
        RowState::Failed(reason) => view! {
            <tr data-testid="batch-row" data-state="error">
                <td></td><td class="name">{name}</td><td class="name">{mask}</td>
                <td colspan="8" class="error" data-testid="batch-error">{reason}</td><td></td>
            </tr>
        }
        .into_any(),
        RowState::Done { record, thumb } => {
            let Ok(r) = record.result else {
                return view! { <tr></tr> }.into_any();
            };
            let level = r
                .level
                .map_or_else(|| "local".to_string(), |l| l.to_string());
            let (truth, tp, fp, fn_, f1) = match &r.score {
                Some(s) => (
                    s.true_count.to_string(),
                    s.tp.to_string(),
                    s.fp.to_string(),
                    s.fn_.to_string(),
                    ratio(s.f1()),
                ),
                None => Default::default(),
            };
            let mask_error = r.mask_error.clone();
            // The row's height is known before the thumbnail is decoded, so nothing moves.
            let thumb_height = (u64::from(THUMB_CSS_WIDTH) * u64::from(r.height)
                / u64::from(r.width.max(1)))
            .max(1);
            view! {
                <tr data-testid="batch-row" data-state="done">
                    <td>{thumb.map(|src| view! {
                        <img class="batch-thumb" src=src alt=format!("{name} with its objects")
                            width=THUMB_CSS_WIDTH height=thumb_height decoding="async" />
                    })}</td>
                    <td class="name">{name.clone()}</td>
                    <td class="name">{mask}{mask_error.map(|e| view! {
                        <span class="error" data-testid="batch-mask-error">" "{e}</span>
                    })}</td>
                    <td class="num" data-testid="batch-count">{r.count}</td>
                    <td class="num">{level}</td>
                    <td class="num" data-testid="batch-true">{truth}</td>
                    <td class="num">{tp}</td>
                    <td class="num">{fp}</td>
                    <td class="num">{fn_}</td>
                    <td class="num" data-testid="batch-f1">{f1}</td>
                    <td class="num" data-testid="batch-ms">{format!("{:.0}", r.ms)}</td>
                    <td><button type="button" class="button small-button" data-testid="batch-open"
                        on:click=open>"Open"</button></td>
                </tr>
            }
            .into_any()
        }
    }
}

/// The batch drawer.
#[component]
pub fn BatchPanel() -> impl IntoView {
    let state = use_app_state();
    let batch = use_batch_state();
    let drawer = NodeRef::<html::Details>::new();
    let start = move |files: Vec<(String, web_sys::File)>| {
        if !files.is_empty() {
            batch.start(state, files);
        }
    };
    // A parameter change re-runs the batch (the run in progress stops).
    Effect::new(move |_| {
        state.params.track();
        state.preset.track();
        let last = batch.ran_with.get_value();
        if let Some(last) = last
            && last != batch_params(state)
        {
            batch.run(state);
        }
    });
    let summary = Memo::new(move |_| {
        batch.rows.track();
        let records = batch.records();
        (!records.is_empty()).then(|| summarize(&records))
    });
    let export = move |_| {
        let records = batch.records();
        let params = batch_params(state).map_or_else(
            || "preset per collection (auto): see the Parameters column".to_string(),
            |p| p.to_query(),
        );
        let csv = batch_csv(VERSION, &params, &records);
        if let Err(e) = download("fluocount-batch.csv", csv.as_bytes(), "text/csv") {
            batch.notice.set(e);
        }
    };
    view! {
        <details class="drawer batch" data-testid="batch-drawer" node_ref=drawer
            prop:open=move || batch.show.get()
            on:toggle=move |_| {
                if let Some(d) = drawer.get_untracked() {
                    batch.show.set(d.open());
                }
            }>
            <summary>"Batch"
                {move || batch.progress.get().map(|p| format!(" · {} of {}", p.done, p.total))}
            </summary>
            <div class="batch-tools">
                <label class="button">
                    "Count a folder…"
                    <input type="file" multiple prop:webkitdirectory=true data-testid="batch-folder-input"
                        on:change=move |e| start(picked_with_paths(&e)) />
                </label>
                <label class="button">
                    "Count files…"
                    <input type="file" multiple data-testid="batch-files-input"
                        accept="image/png,image/jpeg,image/tiff,.png,.jpg,.jpeg,.tif,.tiff"
                        on:change=move |e| start(picked_with_paths(&e)) />
                </label>
                <button type="button" class="button" data-testid="batch-cancel"
                    disabled=move || !batch.running.get()
                    on:click=move |_| batch.cancel()>"Cancel"</button>
                <button type="button" class="button" data-testid="batch-rerun"
                    disabled=move || batch.running.get() || batch.rows.with(Vec::is_empty)
                    on:click=move |_| batch.run(state)>"Run again"</button>
                <button type="button" class="button" data-testid="batch-export"
                    disabled=move || summary.with(Option::is_none)
                    on:click=export>"Export CSV"</button>
                <button type="button" class="button" data-testid="batch-clear"
                    disabled=move || batch.rows.with(Vec::is_empty)
                    on:click=move |_| batch.clear()>"Clear"</button>
            </div>
            <p class="muted small">
                "Drop a folder anywhere on the page, or more than 24 images at once, to count them here. "
                "Masks pair with their images by folder (images/ and masks/) or name (_mask). "
                "Only the results and a thumbnail are kept; Open reads the image again."
            </p>
            {move || batch.progress.get().map(|p| {
                let running = batch.running.get();
                view! {
                    <div class="batch-progress">
                        <progress data-testid="batch-progress" aria-label="Images counted"
                            max=p.total.max(1).to_string() value=p.done.to_string()></progress>
                        <span data-testid="batch-progress-text">{progress_text(p, running)}</span>
                        {move || batch.memory.get().map(|(now, peak)| view! {
                            <span class="muted" data-testid="batch-memory">
                                {format!(" · page memory {now:.0} MiB (peak {peak:.0} MiB)")}
                            </span>
                        })}
                    </div>
                }
            })}
            <p class="notice" role="status" data-testid="batch-notice">{move || batch.notice.get()}</p>
            {move || summary.get().map(|s| view! {
                <div class="batch-summary" data-testid="batch-summary">
                    <span>"Counted "<strong data-testid="batch-counted">{s.counted}</strong></span>
                    <span>" · failed "<strong data-testid="batch-failed">{s.failed}</strong></span>
                    <span>" · objects "<strong data-testid="batch-total">{s.total_count}</strong></span>
                    <span>{format!(" · {:.2} per image", s.mean_count)}</span>
                    {s.pooled.map(|p| view! {
                        <span data-testid="batch-pooled">
                            {format!(
                                " · pooled over {} images with masks: precision {:.3}, recall {:.3}, F1 ",
                                p.n_images, p.precision(), p.recall()
                            )}
                            <strong data-testid="batch-pooled-f1">{format!("{:.3}", p.f1())}</strong>
                            {format!(", MAE {:.2}", p.mae)}
                        </span>
                    })}
                </div>
            })}
            <div class="table-wrap batch-table-wrap">
                <table class="objects batch-table" data-testid="batch-table">
                    <thead><tr>
                        <th scope="col">"View"</th><th scope="col">"Image"</th><th scope="col">"Mask"</th>
                        <th scope="col">"Count"</th><th scope="col">"Level"</th><th scope="col">"True"</th>
                        <th scope="col">"TP"</th><th scope="col">"FP"</th><th scope="col">"FN"</th>
                        <th scope="col">"F1"</th><th scope="col">"ms"</th><th scope="col">"Viewer"</th>
                    </tr></thead>
                    <tbody>
                        // Rows appear as their results arrive (a table of hundreds of waiting
                        // rows would cost the page a long task at the start).
                        <For
                            each=move || {
                                batch.rows.with(|rows| {
                                    rows.iter()
                                        .filter(|r| !matches!(r.state, RowState::Waiting))
                                        .cloned()
                                        .collect::<Vec<_>>()
                                })
                            }
                            key=|r| (r.index, r.run, match r.state {
                                RowState::Waiting => 0u8,
                                RowState::Done { .. } => 1,
                                RowState::Failed(_) => 2,
                            })
                            children=move |row| row_view(state, batch, row)
                        />
                    </tbody>
                </table>
            </div>
        </details>
    }
}
