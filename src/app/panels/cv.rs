//! Leave-one-image-out cross-validation in the page (the same as `fluocount eval --cv`): every
//! candidate of the preset search ([`Grid::presets`]) is laid over each masked image's own
//! parameters and scored in the worker that keeps the image; then each image is scored with the
//! candidate chosen on the *other* images ([`cv::report`]). Those held-out figures are the page's
//! only estimate of accuracy on images nothing was chosen on.

use crate::app::{pool, state::use_app_state};
use crate::{
    count::{
        cv::{self, Grid, Report, ScoreTable},
        scoring::Pooled,
    },
    protocol::messages::{Request, Response},
};
use leptos::{prelude::*, task::spawn_local};
use std::collections::VecDeque;

/// What the section shows.
#[derive(Clone, Debug)]
enum CvState {
    Idle,
    Running { done: usize, total: usize },
    Done(Box<Outcome>),
    Cancelled,
    Failed(String),
}

/// A finished run: the report, the images' names and the candidates' descriptions.
#[derive(Clone, Debug)]
struct Outcome {
    report: Report,
    names: Vec<String>,
    collections: Vec<String>,
    candidates: Vec<String>,
}

fn f3(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "–".into()
    }
}

fn plain(candidate: &str) -> String {
    if candidate.is_empty() {
        "as the image's own parameters".into()
    } else {
        candidate.replace('&', ", ").replace('=', " ")
    }
}

fn pooled_line(label: String, p: &Pooled, testid: &'static str) -> impl IntoView + use<> {
    view! {
        <p class="small cv-pooled" data-testid=testid>
            <strong>{label}</strong>
            {format!(
                ": {} images, {} true, {} counted, TP {} FP {} FN {}; precision {}, recall {}, F1 ",
                p.n_images, p.true_count, p.pred_count, p.tp, p.fp, p.fn_,
                f3(p.precision()), f3(p.recall())
            )}
            <strong data-testid=format!("{testid}-f1")>{f3(p.f1())}</strong>
            {format!(", MAE {}", f3(p.mae))}
        </p>
    }
}

fn report_view(o: &Outcome) -> impl IntoView + use<> {
    let r = &o.report;
    let name = |i: usize| o.names.get(i).cloned().unwrap_or_default();
    let rows: Vec<_> = r
        .folds
        .iter()
        .map(|f| {
            let s = &f.score;
            let n = name(f.image);
            let title = n.clone();
            view! {
                <tr data-testid="cv-image">
                    <th scope="row" class="name" title=title>{n}</th>
                    <td>{s.true_count}</td>
                    <td>{s.pred_count}</td>
                    <td>{format!("{}/{}/{}", s.tp, s.fp, s.fn_)}</td>
                    <td data-testid="cv-image-f1">{f3(s.f1())}</td>
                </tr>
            }
        })
        .collect();
    let settings: Vec<_> = r
        .folds
        .iter()
        .map(|f| {
            view! {
                <li>
                    {format!(
                        "{} ({}): {}",
                        name(f.image),
                        o.collections.get(f.image).map_or("", String::as_str),
                        plain(o.candidates.get(f.chosen).map_or("", String::as_str))
                    )}
                </li>
            }
        })
        .collect();
    let by: Vec<_> = if r.by_collection.len() > 1 {
        r.by_collection
            .iter()
            .map(|(c, p)| pooled_line(format!("Held-out {c}"), p, "cv-collection"))
            .collect()
    } else {
        Vec::new()
    };
    let chosen = match (r.chosen_on_all, &r.chosen_in_sample) {
        (Some(c), Some(p)) => format!(
            "Chosen on all {} images: {}. On those same images it scores F1 {}, a figure on the images it was chosen on, not an estimate for new ones.",
            r.folds.len(),
            plain(o.candidates.get(c).map_or("", String::as_str)),
            f3(p.f1())
        ),
        _ => String::new(),
    };
    view! {
        <table class="figures cv-table" data-testid="cv-table">
            <caption>"Each image scored with the settings chosen on the others"</caption>
            <thead>
                <tr>
                    <th scope="col">"Held-out image"</th>
                    <th scope="col">"True"</th>
                    <th scope="col">"Counted"</th>
                    <th scope="col" title="true positives / false positives / false negatives">"TP/FP/FN"</th>
                    <th scope="col">"F1"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {by}
        {pooled_line("Held-out, pooled".into(), &r.pooled, "cv-pooled")}
        <details class="small">
            <summary>"Settings chosen without each image"</summary>
            <ul>{settings}</ul>
        </details>
        <p class="small hint" data-testid="cv-chosen">{chosen}</p>
        <p class="small hint">"Run again after changing masks, parameters or the preset: the table is of the run above."</p>
    }
}

/// The cross-validation section of the Ground truth panel: a button once two images have masks,
/// progress and cancel while it runs, then the held-out table.
#[component]
pub fn CrossValidation() -> impl IntoView {
    let state = use_app_state();
    let cv_state = RwSignal::new(CvState::Idle);
    let run_id = StoredValue::new(0u64);
    let with_masks = move || state.images.with_masks();
    let start = move |_| {
        // (id, worker, name, collection, its own parameters) of every image with a mask, in the
        // image list's order.
        let samples: Vec<_> = state.images.items.with_untracked(|items| {
            state.images.slots.with_value(|s| {
                items
                    .iter()
                    .filter_map(|i| {
                        let slot = s.get(&i.id)?;
                        slot.truth.as_ref()?;
                        Some((
                            i.id,
                            slot.worker,
                            i.name.clone(),
                            state.auto_collection(i.id).name().to_string(),
                            state.preset_params_for(i.id),
                        ))
                    })
                    .collect()
            })
        });
        if samples.len() < 2 {
            return;
        }
        let run = run_id.get_value() + 1;
        run_id.set_value(run);
        let scoring = state.counting.scoring.get_untracked();
        let candidates = Grid::presets().candidates();
        let total = candidates.len();
        cv_state.set(CvState::Running { done: 0, total });
        spawn_local(async move {
            let mut table = ScoreTable {
                scores: Vec::with_capacity(total),
            };
            // Two candidates in flight, so that images kept in different workers overlap.
            let mut in_flight = VecDeque::new();
            let mut next = 0;
            while table.scores.len() < total {
                while next < total && in_flight.len() < 2 {
                    let replies: Vec<_> = samples
                        .iter()
                        .map(|(id, worker, _, _, base)| {
                            pool::send(
                                *worker,
                                &Request::Score {
                                    id: *id,
                                    params: cv::apply(base, &candidates[next]),
                                    scoring,
                                },
                            )
                        })
                        .collect();
                    in_flight.push_back(replies);
                    next += 1;
                }
                let Some(replies) = in_flight.pop_front() else {
                    break;
                };
                let mut row = Vec::with_capacity(samples.len());
                for (reply, (_, _, name, _, _)) in replies.into_iter().zip(&samples) {
                    match reply.await {
                        Ok(Response::Scored(Some(s))) => row.push(*s),
                        Ok(Response::Scored(None)) => {
                            if run_id.get_value() == run {
                                cv_state.set(CvState::Failed(format!(
                                    "{name}: its mask and image differ in size, so it cannot be scored."
                                )));
                                run_id.set_value(run + 1);
                            }
                            return;
                        }
                        Ok(Response::Failed(reason)) | Err(reason) => {
                            if run_id.get_value() == run {
                                cv_state.set(CvState::Failed(format!("{name}: {reason}")));
                                run_id.set_value(run + 1);
                            }
                            return;
                        }
                        Ok(_) => {}
                    }
                }
                if run_id.get_value() != run {
                    return;
                }
                table.scores.push(row);
                cv_state.set(CvState::Running {
                    done: table.scores.len(),
                    total,
                });
            }
            let collections: Vec<String> = samples.iter().map(|s| s.3.clone()).collect();
            let outcome = cv::report(&table, &collections, samples.len()).map(|report| Outcome {
                report,
                names: samples.iter().map(|s| s.2.clone()).collect(),
                collections,
                candidates: candidates.iter().map(|c| cv::describe(c)).collect(),
            });
            cv_state.set(match outcome {
                Some(o) => CvState::Done(Box::new(o)),
                None => CvState::Failed("fewer than two images could be scored".into()),
            });
        });
    };
    let cancel = move |_| {
        run_id.update_value(|r| *r += 1);
        cv_state.set(CvState::Cancelled);
    };
    let running = move || matches!(cv_state.get(), CvState::Running { .. });
    view! {
        <div class="cv" data-testid="cv">
            <h3>"Accuracy on unseen images"</h3>
            <p class="hint small">
                {move || match with_masks() {
                    0 | 1 => "With masks on two or more images: leave one image out. Each image is scored with the settings chosen on the others, the only honest estimate for images nothing was tuned on.".to_string(),
                    n => format!("Leave one image out over the {n} images with masks: each is scored with the cell-body settings ({} candidates over its own parameters) chosen on the other {}.", Grid::presets().candidates().len(), n - 1),
                }}
            </p>
            <div class="row">
                <button class="button" type="button" data-testid="cv-start" on:click=start
                    disabled=move || with_masks() < 2 || running()>
                    "Cross-validate"
                </button>
                <Show when=running>
                    <button class="button" type="button" data-testid="cv-cancel" on:click=cancel>"Cancel"</button>
                </Show>
            </div>
            {move || match cv_state.get() {
                CvState::Idle => ().into_any(),
                CvState::Running { done, total } => view! {
                    <progress data-testid="cv-progress" max=total.to_string() value=done.to_string()
                        aria-label="Cross-validation progress"></progress>
                    <p class="small" data-testid="cv-status" aria-live="polite">
                        {format!("{done} of {total} candidates scored on every image")}
                    </p>
                }.into_any(),
                CvState::Cancelled => view! {
                    <p class="small" data-testid="cv-status">"Cancelled."</p>
                }.into_any(),
                CvState::Failed(reason) => view! {
                    <p class="small error" data-testid="cv-status" role="alert">{format!("Cross-validation failed: {reason}")}</p>
                }.into_any(),
                CvState::Done(o) => report_view(&o).into_any(),
            }}
        </div>
    }
}
