//! The batch drawer: pick a folder or many files, watch the progress, read the table as results
//! stream in, export the CSV, open any image in the viewer.

use super::run::{BatchState, Row, RowState, THUMB_CSS_WIDTH, batch_params, use_batch_state};
use crate::app::{
    browser::{path_of, take_picked},
    dropzone::{has_directory_picker, pick_directory},
    results::{VERSION, download},
    state::{AppState, use_app_state},
};
use crate::protocol::batch::{Progress, Summary, batch_csv, clock, summarize};
use leptos::{ev, html, prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;

/// The files picked in a batch input, with their paths (relative within a picked folder).
fn picked_with_paths(e: &ev::Event) -> Vec<(String, web_sys::File)> {
    take_picked(e)
        .into_iter()
        .map(|f| (path_of(&f), f))
        .collect()
}

/// The height of a table row, in CSS pixels (style/main.css `.batch-table tbody tr`): rows
/// have one line of text and a thumbnail at most [`THUMB_CSS_HEIGHT`] high, so the table can
/// lay out only the rows in view.
const ROW_PX: f64 = 66.0;
/// The thumbnails' greatest height on the page, in CSS pixels.
const THUMB_CSS_HEIGHT: u32 = 60;
/// Rows laid out above and below the ones in view.
const OVERSCAN: usize = 10;

/// The thumbnail's size on the page for an image of `width` x `height`: 80 CSS pixels wide, or
/// narrower for a tall image, so that it is at most [`THUMB_CSS_HEIGHT`] high.
fn thumb_css_size(width: u32, height: u32) -> (u32, u32) {
    let (w, h) = (u64::from(width.max(1)), u64::from(height.max(1)));
    let tall = u64::from(THUMB_CSS_WIDTH) * h > u64::from(THUMB_CSS_HEIGHT) * w;
    if tall {
        (
            (u64::from(THUMB_CSS_HEIGHT) * w / h).max(1) as u32,
            THUMB_CSS_HEIGHT,
        )
    } else {
        (
            THUMB_CSS_WIDTH,
            (u64::from(THUMB_CSS_WIDTH) * h / w).max(1) as u32,
        )
    }
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

/// A path in a table cell: its folder, cut with an ellipsis when the cell is narrow, then its
/// file name whole (where paths of one batch differ), so the columns after it stay in view.
fn path_cell(path: &str) -> impl IntoView + use<> {
    let (dir, file) = match path.rfind(['/', '\\']) {
        Some(i) => (path[..=i].to_string(), path[i + 1..].to_string()),
        None => (String::new(), path.to_string()),
    };
    view! {
        <div class="path-cell"><span class="dir">{dir}</span><span class="file">{file}</span></div>
    }
}

/// One row of the table.
fn row_view(
    state: AppState,
    batch: BatchState,
    shown: Memo<Vec<usize>>,
    row: Row,
) -> impl IntoView {
    let index = row.index;
    // The row's place among the rows shown (the header is row 1): it moves when a result
    // arrives ahead of it, without the row being drawn again (which would lose its focus).
    let aria_row = move || {
        shown
            .with(|s| s.binary_search(&index).map_or(0, |p| p + 2))
            .to_string()
    };
    let open = move |_| {
        let files = batch.files_of(index);
        state.load_files(files);
        batch.show.set(false);
    };
    let name = row.name.clone();
    let mask = row.mask.clone().unwrap_or_default();
    // Long names are cut with an ellipsis (rows are one line high); the title has them whole.
    let (name_title, mask_title) = (name.clone(), mask.clone());
    match row.state {
        RowState::Waiting => view! {
            <tr data-testid="batch-row" data-state="waiting" aria-rowindex=aria_row>
                <td></td><td class="name">{path_cell(&name)}</td><td class="name">{path_cell(&mask)}</td>
                <td colspan="8" class="muted">"waiting"</td><td></td>
            </tr>
        }
        .into_any(),
        RowState::Failed(reason) => {
            let reason_title = reason.clone();
            view! {
            <tr data-testid="batch-row" data-state="error" aria-rowindex=aria_row>
                <td></td><td class="name" title=name_title>{path_cell(&name)}</td><td class="name">{path_cell(&mask)}</td>
                <td colspan="8" class="error"><div class="clamp" data-testid="batch-error"
                    title=reason_title>{reason}</div></td><td></td>
            </tr>
            }
            .into_any()
        }
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
            let note = r.note.clone();
            // The thumbnail's size is known before it is decoded, so nothing moves.
            let (thumb_w, thumb_h) = thumb_css_size(r.width, r.height);
            view! {
                <tr data-testid="batch-row" data-state="done" aria-rowindex=aria_row>
                    <td>{thumb.map(|src| view! {
                        <img class="batch-thumb" src=src alt=format!("{name} with its objects")
                            width=thumb_w height=thumb_h decoding="async" />
                    })}</td>
                    <td class="name" title=name_title>{path_cell(&name)}{note.map(|n| view! {
                        <span class="muted" data-testid="batch-note" title=n.clone()>" · "{n.clone()}</span>
                    })}</td>
                    <td class="name" title=mask_title>{path_cell(&mask)}{mask_error.map(|e| view! {
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

/// The buttons: count a folder or files, cancel, run again, export, clear.
#[component]
fn BatchTools(summary: Memo<Option<Summary>>) -> impl IntoView {
    let state = use_app_state();
    let batch = use_batch_state();
    let start = move |files: Vec<(String, web_sys::File)>| {
        if !files.is_empty() {
            batch.start(state, files);
        }
    };
    let folder_input = NodeRef::<html::Input>::new();
    // While the folder dialog is open or its folder is read: one pick at a time.
    let picking = RwSignal::new(false);
    let pick_folder = move |_: ev::MouseEvent| {
        if !has_directory_picker() {
            if let Some(input) = folder_input.get_untracked() {
                input.click();
            }
            return;
        }
        picking.set(true);
        spawn_local(async move {
            let picked = pick_directory(move |files, unread| {
                let unread = (!unread.is_empty())
                    .then(|| format!("some entries could not be read in {}", unread.join(", ")));
                if files.is_empty() {
                    let mut note = "The folder holds no files".to_string();
                    if let Some(u) = unread {
                        note = format!("{note}; {u}");
                    }
                    batch.notice.set(note);
                    batch.show.set(true);
                    return;
                }
                start(files);
                if let Some(u) = unread {
                    batch.notice.update(|n| {
                        *n = if n.is_empty() { u } else { format!("{n}; {u}") };
                    });
                }
            })
            .await;
            picking.set(false);
            if let Err(message) = picked {
                batch.notice.set(message);
                batch.show.set(true);
            }
        });
    };
    let export = move |_| {
        let records = batch.records();
        let (params, model) = batch_params(state);
        let params = params.map_or_else(
            || "preset per collection (auto): see the Parameters column".to_string(),
            |p| p.to_query(),
        );
        let params = match model {
            Some(_) => format!("{params}; counted with a model: see the Parameters column"),
            None => params,
        };
        let csv = batch_csv(VERSION, &params, &records);
        if let Err(e) = download("fluocount-batch.csv", csv.as_bytes(), "text/csv") {
            batch.notice.set(e);
        }
    };
    view! {
    <div class="batch-tools">
        // The browser's folder dialog where it has one (File System Access), else the
        // folder input's.
        <button type="button" class="button" data-testid="batch-folder"
            disabled=move || picking.get() on:click=pick_folder>
            {move || if picking.get() { "Reading the folder…" } else { "Count a folder…" }}
        </button>
        <input type="file" multiple hidden prop:webkitdirectory=true
            data-testid="batch-folder-input" node_ref=folder_input
            on:change=move |e| start(picked_with_paths(&e)) />
        <label class="button file-picker">
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
    }
}

/// Progress, the notice and the summary of the run.
#[component]
fn BatchStatus(summary: Memo<Option<Summary>>) -> impl IntoView {
    let batch = use_batch_state();
    view! {
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
            <span>" · "<span data-testid="batch-median-ms">{format!("{:.0}", s.median_ms)}</span>
                " ms per image (median: decode, count, score, thumbnail)"</span>
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
    }
}

/// The table of results, with only the rows in view laid out.
#[component]
fn BatchTable() -> impl IntoView {
    let state = use_app_state();
    let batch = use_batch_state();
    // Only the rows in view (and OVERSCAN either side) are laid out: with hundreds of rows, every
    // update would otherwise lay out and paint them all. Rows appear as their results arrive (a
    // table of hundreds of waiting rows would tell nothing).
    // JUSTIFICATION: e2e/batch-bench.mjs TRACE=1: paint and layout of the whole table were
    // 1.5 s of the page's 3.8 s during a 283-image batch.
    let first_in_view = RwSignal::new(0usize);
    let shown = Memo::new(move |_| {
        batch.rows.with(|rows| {
            rows.iter()
                .enumerate()
                .filter(|(_, r)| !matches!(r.state, RowState::Waiting))
                .map(|(k, _)| k)
                .collect::<Vec<usize>>()
        })
    });
    let in_view = Memo::new(move |_| {
        let n = shown.with(Vec::len);
        let height = web_sys::window()
            .and_then(|w| w.inner_height().ok())
            .and_then(|h| h.as_f64())
            .filter(|h| h.is_finite() && *h > 0.0)
            .unwrap_or(1080.0);
        let rows = (height / ROW_PX).ceil() as usize;
        let first = first_in_view.get();
        let start = first.saturating_sub(OVERSCAN).min(n);
        let end = first.saturating_add(rows + OVERSCAN).min(n);
        (start, end, n)
    });
    let rows_scrolled_to = move |scroll_top: f64| {
        let first = (scroll_top / ROW_PX).floor().max(0.0) as usize;
        if first != first_in_view.get_untracked() {
            first_in_view.set(first);
        }
    };
    let wrap = NodeRef::<html::Div>::new();
    let on_scroll = move |e: ev::Event| {
        if let Some(el) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            rows_scrolled_to(f64::from(el.scroll_top()));
        }
    };
    let spacer = |rows: usize| {
        (rows > 0).then(|| {
            view! {
                <tr class="batch-spacer" aria-hidden="true"
                    style:height=format!("{}px", rows as f64 * ROW_PX)><td colspan="12"></td></tr>
            }
        })
    };
    // The table's scroll position may have changed while the drawer was closed.
    Effect::new(move |_| {
        if batch.show.get()
            && let Some(w) = wrap.get_untracked()
        {
            rows_scrolled_to(f64::from(w.scroll_top()));
        }
    });
    view! {
    <div class="table-wrap batch-table-wrap" data-testid="batch-table-wrap" node_ref=wrap
        on:scroll=on_scroll>
        <table class="batch-table" data-testid="batch-table"
            aria-rowcount=move || (in_view.get().2 + 1).to_string()>
            <thead><tr aria-rowindex="1">
                <th scope="col">"View"</th><th scope="col">"Image"</th><th scope="col">"Mask"</th>
                <th scope="col">"Count"</th><th scope="col">"Level"</th><th scope="col">"True"</th>
                <th scope="col">"TP"</th><th scope="col">"FP"</th><th scope="col">"FN"</th>
                <th scope="col">"F1"</th><th scope="col">"ms"</th><th scope="col">"Viewer"</th>
            </tr></thead>
            <tbody>
                {move || spacer(in_view.get().0)}
                <For
                    each=move || {
                        let (start, end, _) = in_view.get();
                        shown.with(|shown| {
                            batch.rows.with(|rows| {
                                shown[start..end]
                                    .iter()
                                    .filter_map(|&i| rows.get(i).cloned())
                                    .collect::<Vec<_>>()
                            })
                        })
                    }
                    key=|r| (r.index, r.run, match r.state {
                        RowState::Waiting => 0u8,
                        RowState::Done { .. } => 1,
                        RowState::Failed(_) => 2,
                    })
                    children=move |row| row_view(state, batch, shown, row)
                />
                {move || {
                    let (_, end, n) = in_view.get();
                    spacer(n - end)
                }}
            </tbody>
        </table>
    </div>
    }
}

/// The batch drawer.
#[component]
pub fn BatchPanel() -> impl IntoView {
    let state = use_app_state();
    let batch = use_batch_state();
    let drawer = NodeRef::<html::Details>::new();
    // A parameter change re-runs the batch (the run in progress stops).
    Effect::new(move |_| {
        state.counting.params.track();
        state.counting.preset.track();
        state.counting.model.track();
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
            // One box of bounded height, so that the table scrolls inside the drawer and the
            // page never grows with it.
            <div class="drawer-body">
                <BatchTools summary />
                <p class="muted small">
                    "Drop a folder anywhere on the page, or more than 24 images at once, to count them here. "
                    "Masks pair with their images by folder (images/ and masks/) or name (_mask). "
                    "Only the results and a thumbnail are kept; Open reads the image again."
                </p>
                <BatchStatus summary />
                <BatchTable />
            </div>
        </details>
    }
}
