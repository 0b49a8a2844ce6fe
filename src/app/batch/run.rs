//! Batch runs: hundreds of files (or a dropped folder) counted in the worker pool, three files in
//! flight per worker (the workers read them), results streaming into a table. Only each image's
//! result and a PNG thumbnail (as a `data:` URL) are kept, never the decoded images; a row opens
//! its image in the viewer on demand by reading the file again.

use crate::app::{
    browser::yield_to_browser,
    pool,
    state::{AppState, PresetChoice},
};
use crate::{
    count::Params,
    protocol::{
        batch::{BatchJob, Plan, Progress, Record, plan},
        learn::ModelUse,
        messages::{Request, Response},
    },
    util::clock::now_ms,
};
use leptos::{prelude::*, task::spawn_local};
use std::{cell::RefCell, sync::Arc, time::Duration};
use wasm_bindgen::{JsCast, JsValue};

/// Width of the thumbnails on the page, in CSS pixels.
pub const THUMB_CSS_WIDTH: u32 = 80;

/// Width of the thumbnails, in image pixels: the page's width in device pixels (at most twice
/// it), so that no thumbnail carries pixels the screen cannot show.
/// JUSTIFICATION: e2e/batch-bench.mjs "main thread busy": decoding and painting the thumbnails
/// is most of the page's work during a batch.
fn thumb_width() -> u32 {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let dpr = if dpr.is_finite() {
        dpr.clamp(1.0, 2.0)
    } else {
        1.0
    };
    (f64::from(THUMB_CSS_WIDTH) * dpr).round() as u32
}

/// Files in flight per worker: one working and two being read by the worker, so that it never
/// waits for a read.
const PER_WORKER: usize = 3;
/// Results reach the table at most this often (the first one at once): every update lays out
/// and paints the table, and on a 2-core machine the page's work is taken from the workers.
/// JUSTIFICATION: e2e/batch-bench.mjs "main thread busy" (13 s of a 15 s run with an update per
/// result).
const UPDATE_MS: f64 = 250.0;

thread_local! {
    /// The batch's files with their paths (`File` is not `Send`, so it stays out of signals).
    static FILES: RefCell<Vec<(String, web_sys::File)>> = const { RefCell::new(Vec::new()) };
}

/// What one row of the table shows.
#[derive(Clone, Debug, PartialEq)]
pub enum RowState {
    /// Not started.
    Waiting,
    /// Counted.
    Done {
        /// The record.
        record: Box<Record>,
        /// The thumbnail's `data:` URL, if there is one (shared: the table's rows are cloned at
        /// every update).
        thumb: Option<Arc<str>>,
    },
    /// Could not be counted.
    Failed(String),
}

/// One row of the batch table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Position in the plan.
    pub index: usize,
    /// The image's path.
    pub name: String,
    /// Its mask's path.
    pub mask: Option<String>,
    /// Its state.
    pub state: RowState,
    /// The run that produced the state (part of the row's key, so a re-run redraws it).
    pub run: u64,
}

/// The batch's shared state (a context).
#[derive(Clone, Copy)]
pub struct BatchState {
    /// The rows, in plan order.
    pub rows: RwSignal<Vec<Row>>,
    /// Progress of the current or last run.
    pub progress: RwSignal<Option<Progress>>,
    /// A run is in progress.
    pub running: RwSignal<bool>,
    /// The drawer is open.
    pub show: RwSignal<bool>,
    /// Files skipped, masks without an image, cancellations: what the user should know.
    pub notice: RwSignal<String>,
    /// Memory the page reports (JS heap and this page's wasm memory), in MiB, with the peak.
    pub memory: RwSignal<Option<(f64, f64)>>,
    /// The parameters of the last run (`None` = each image's preset).
    pub ran_with: StoredValue<Option<BatchWith>>,
    /// Bumped by every start and cancel; older runs stop.
    pub epoch: StoredValue<u64>,
    /// The next plan index to hand out in the current run.
    next: StoredValue<usize>,
    /// The plan of the current files.
    plan: StoredValue<Plan>,
    /// Results not yet shown: (plan index, state).
    queued: StoredValue<Vec<(usize, RowState)>>,
    /// When the current run started (`now_ms`).
    started: StoredValue<f64>,
    /// When results were last shown (`now_ms`), and whether a later showing is scheduled.
    shown_at: StoredValue<(f64, bool)>,
}

/// Creates the batch state and provides it as context.
pub fn provide_batch_state() -> BatchState {
    let b = BatchState {
        rows: RwSignal::new(Vec::new()),
        progress: RwSignal::new(None),
        running: RwSignal::new(false),
        show: RwSignal::new(false),
        notice: RwSignal::new(String::new()),
        memory: RwSignal::new(None),
        ran_with: StoredValue::new(None),
        epoch: StoredValue::new(0),
        next: StoredValue::new(0),
        plan: StoredValue::new(Plan {
            images: Vec::new(),
            unpaired_masks: Vec::new(),
            skipped: Vec::new(),
        }),
        queued: StoredValue::new(Vec::new()),
        started: StoredValue::new(0.0),
        shown_at: StoredValue::new((0.0, false)),
    };
    provide_context(b);
    b
}

/// The batch state from context.
pub fn use_batch_state() -> BatchState {
    expect_context::<BatchState>()
}

/// What a batch runs with: the parameters (`None`: each image's preset, while the parameters
/// follow the image's colour) and the model that counts, if one does.
pub type BatchWith = (Option<Params>, Option<ModelUse>);

/// What a batch runs with now: the current parameters, or `None` (each image's preset) while
/// the parameters follow the image's colour; and the model that counts, with the chosen preset's
/// collection (else each file's own, detected in its worker).
pub fn batch_params(state: AppState) -> BatchWith {
    let preset = state.counting.preset.get_untracked();
    let fixed = match preset {
        PresetChoice::Fixed(c) => Some(c),
        _ => None,
    };
    let model = state.counting.model.with_untracked(|m| m.use_for(fixed));
    let params = match preset {
        PresetChoice::Auto(_) => None,
        _ => Some(state.counting.params.get_untracked()),
    };
    (params, model)
}

/// Memory the page reports: (JS heap, this page's wasm memory) in MiB; Chromium only for the heap.
fn memory_mib() -> (f64, f64) {
    let heap = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str("performance")).ok())
        .and_then(|p| js_sys::Reflect::get(&p, &JsValue::from_str("memory")).ok())
        .and_then(|m| js_sys::Reflect::get(&m, &JsValue::from_str("usedJSHeapSize")).ok())
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    let wasm = wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0.0, |b| f64::from(b.byte_length()));
    (heap / 1048576.0, wasm / 1048576.0)
}

impl BatchState {
    /// Replaces the batch's files with `files` (path, file) and runs it.
    pub fn start(self, state: AppState, files: Vec<(String, web_sys::File)>) {
        let paths: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
        let p = plan(&paths);
        let mut notes = Vec::new();
        if !p.skipped.is_empty() {
            notes.push(format!(
                "{} files that are not PNG, JPEG or TIFF by name were skipped",
                p.skipped.len()
            ));
        }
        if !p.unpaired_masks.is_empty() {
            let names: Vec<&str> = p
                .unpaired_masks
                .iter()
                .take(3)
                .map(|&k| paths[k].as_str())
                .collect();
            notes.push(format!(
                "{} masks match no image ({}{})",
                p.unpaired_masks.len(),
                names.join(", "),
                if p.unpaired_masks.len() > 3 {
                    ", …"
                } else {
                    ""
                }
            ));
        }
        self.notice.set(notes.join("; "));
        self.show.set(true);
        FILES.with(|f| *f.borrow_mut() = files);
        self.plan.set_value(p);
        self.run(state);
    }

    /// Runs (or re-runs) the batch with the current parameters; a run in progress stops.
    pub fn run(self, state: AppState) {
        let epoch = self.epoch.get_value() + 1;
        self.epoch.set_value(epoch);
        let params = batch_params(state);
        self.ran_with.set_value(Some(params.clone()));
        let rows: Vec<Row> = self.plan.with_value(|p| {
            FILES.with(|f| {
                let f = f.borrow();
                p.images
                    .iter()
                    .enumerate()
                    .map(|(index, im)| Row {
                        index,
                        name: f[im.image].0.clone(),
                        mask: im.mask.map(|m| f[m].0.clone()),
                        state: RowState::Waiting,
                        run: epoch,
                    })
                    .collect()
            })
        });
        let total = rows.len();
        self.rows.set(rows);
        self.next.set_value(0);
        self.progress.set(Some(Progress {
            done: 0,
            total,
            elapsed_ms: 0.0,
        }));
        self.running.set(total > 0);
        self.memory.set(None);
        self.queued.set_value(Vec::new());
        self.shown_at.set_value((0.0, false));
        self.started.set_value(now_ms());
        let lanes = (pool::size() * PER_WORKER).min(total);
        let scoring = state.counting.scoring.get_untracked();
        let thumb_width = thumb_width();
        for _ in 0..lanes {
            let params = params.clone();
            spawn_local(async move {
                // Each lane starts in a task of its own: handing over a file costs the page a few
                // ms the first time (the browser registers it), and the pick itself is already a
                // long task of the browser's (building the file list).
                yield_to_browser().await;
                self.lane(epoch, params, scoring, thumb_width).await;
            });
        }
    }

    /// Stops the run: no new file is started, results still in flight are dropped.
    pub fn cancel(self) {
        if !self.running.get_untracked() {
            return;
        }
        // What was counted before the cancel is kept.
        self.flush();
        self.epoch.update_value(|e| *e += 1);
        self.running.set(false);
        let (done, total) = self
            .progress
            .get_untracked()
            .map_or((0, 0), |p| (p.done, p.total));
        self.notice
            .set(format!("Cancelled: {done} of {total} images were counted."));
    }

    /// Removes the batch (files, rows, thumbnails).
    pub fn clear(self) {
        self.epoch.update_value(|e| *e += 1);
        FILES.with(|f| f.borrow_mut().clear());
        self.rows.set(Vec::new());
        self.progress.set(None);
        self.running.set(false);
        self.notice.set(String::new());
        self.ran_with.set_value(None);
    }

    /// The files of row `index`: the image and its mask, for opening in the viewer.
    pub fn files_of(self, index: usize) -> Vec<web_sys::File> {
        self.plan.with_value(|p| {
            FILES.with(|f| {
                let f = f.borrow();
                p.images.get(index).map_or_else(Vec::new, |im| {
                    std::iter::once(im.image)
                        .chain(im.mask)
                        .filter_map(|k| f.get(k).map(|(_, file)| file.clone()))
                        .collect()
                })
            })
        })
    }

    /// The finished records, in plan order.
    pub fn records(self) -> Vec<Record> {
        self.rows.with_untracked(|rows| {
            rows.iter()
                .filter_map(|r| match &r.state {
                    RowState::Done { record, .. } => Some((**record).clone()),
                    RowState::Failed(reason) => Some(Record {
                        name: r.name.clone(),
                        mask: r.mask.clone(),
                        result: Err(reason.clone()),
                    }),
                    RowState::Waiting => None,
                })
                .collect()
        })
    }

    /// One lane of a run: takes the next file until none is left or the run is stopped.
    async fn lane(
        self,
        epoch: u64,
        (params, model): BatchWith,
        scoring: crate::count::scoring::ScoreOptions,
        thumb_width: u32,
    ) {
        loop {
            if self.epoch.get_value() != epoch {
                return;
            }
            let index = self.next.get_value();
            let Some(planned) = self.plan.with_value(|p| p.images.get(index).copied()) else {
                return;
            };
            self.next.set_value(index + 1);
            let (image_file, mask_file) = FILES.with(|f| {
                let f = f.borrow();
                (
                    f.get(planned.image).map(|(_, file)| file.clone()),
                    planned
                        .mask
                        .and_then(|m| f.get(m).map(|(_, file)| file.clone())),
                )
            });
            let outcome = match image_file {
                None => Err("the file is no longer available".to_string()),
                Some(file) => {
                    // The worker reads the files itself: the page never copies their bytes.
                    let job = Request::Batch(BatchJob {
                        bytes: Vec::new(),
                        mask: None,
                        params: params.clone(),
                        scoring,
                        thumb_width,
                        model: model.clone(),
                    });
                    let files = std::iter::once(file).chain(mask_file).collect();
                    match pool::send_with_files(pool::least_busy(), &job, files).await {
                        Ok(Response::Batch(row)) => Ok(row),
                        Ok(Response::Failed(reason)) | Err(reason) => Err(reason),
                        Ok(_) => Err("the worker gave an unexpected answer".into()),
                    }
                }
            };
            if self.epoch.get_value() != epoch {
                return;
            }
            let state = match outcome {
                Ok(mut row) => {
                    let url = std::mem::take(&mut row.thumbnail);
                    let thumb = (!url.is_empty()).then(|| Arc::from(url));
                    let (name, mask) = self.rows.with_untracked(|r| {
                        r.get(index)
                            .map(|r| (r.name.clone(), r.mask.clone()))
                            .unwrap_or_default()
                    });
                    RowState::Done {
                        record: Box::new(Record {
                            name,
                            mask,
                            result: Ok(*row),
                        }),
                        thumb,
                    }
                }
                Err(reason) => RowState::Failed(reason),
            };
            self.queued.update_value(|q| q.push((index, state)));
            self.show_results(epoch);
        }
    }

    /// Shows the queued results now if none were shown for [`UPDATE_MS`] or the run is complete;
    /// otherwise makes sure they are shown when that time is up.
    fn show_results(self, epoch: u64) {
        let (last, scheduled) = self.shown_at.get_value();
        let now = now_ms();
        let queued = self.queued.with_value(Vec::len);
        let complete = self
            .progress
            .with_untracked(|p| p.is_some_and(|p| p.done + queued >= p.total));
        if complete || now - last >= UPDATE_MS {
            self.flush();
        } else if !scheduled {
            self.shown_at.set_value((last, true));
            let wait = Duration::from_secs_f64((UPDATE_MS - (now - last)).max(0.0) / 1e3);
            set_timeout(
                move || {
                    if self.epoch.get_value() == epoch {
                        self.flush();
                    }
                },
                wait,
            );
        }
    }

    /// Moves the queued results into the table, the progress and the memory readout (one
    /// update of each).
    fn flush(self) {
        let t0 = self.started.get_value();
        self.shown_at.set_value((now_ms(), false));
        let queued = std::mem::take(&mut *self.queued.write_value());
        if queued.is_empty() {
            return;
        }
        let n = queued.len();
        self.rows.update(|rows| {
            for (index, state) in queued {
                if let Some(r) = rows.get_mut(index) {
                    r.state = state;
                }
            }
        });
        let mut finished = false;
        self.progress.update(|p| {
            if let Some(p) = p {
                p.done += n;
                p.elapsed_ms = now_ms() - t0;
                finished = p.done >= p.total;
            }
        });
        let (heap, wasm) = memory_mib();
        self.memory.update(|m| {
            let peak = m.map_or(0.0, |(_, peak)| peak);
            *m = Some((heap + wasm, peak.max(heap + wasm)));
        });
        if finished {
            self.running.set(false);
        }
    }
}
