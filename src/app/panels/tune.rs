//! Auto-tune in the page: searches the parameters that maximise pooled F1 over the images with
//! masks, each candidate scored in the workers that keep the images, with a progress bar and a
//! cancel button.

use crate::app::{pool, state::use_app_state};
use crate::{
    count::{
        Params,
        tune::{Fitness, Progress, SearchSpace, Tuner},
    },
    protocol::messages::{Request, Response},
};
use leptos::{prelude::*, task::spawn_local};

/// What the panel shows.
#[derive(Clone, Debug, PartialEq)]
enum TuneState {
    Idle,
    Running {
        progress: Progress,
        best: Option<Fitness>,
        start: Option<Fitness>,
    },
    Done {
        start: Option<Fitness>,
        best: Option<Fitness>,
        params: Params,
        cancelled: bool,
    },
}

fn f1(f: Option<Fitness>) -> String {
    f.map_or_else(|| "–".into(), |f| format!("{:.3}", f.f1))
}

/// The auto-tune button, progress and result.
#[component]
pub fn TunePanel() -> impl IntoView {
    let state = use_app_state();
    let tune = RwSignal::new(TuneState::Idle);
    let run_id = StoredValue::new(0u64);
    let with_masks = move || state.images.with_masks();
    let start = move |_| {
        // (image id, its worker) of every image with a mask; the workers keep both.
        let samples: Vec<(u64, usize)> = state.images.slots.with_value(|s| {
            let mut ids: Vec<&u64> = s.keys().collect();
            ids.sort();
            ids.into_iter()
                .filter(|id| s[id].truth.is_some())
                .map(|id| (*id, s[id].worker))
                .collect()
        });
        if samples.is_empty() {
            return;
        }
        let run = run_id.get_value() + 1;
        run_id.set_value(run);
        let opts = state.counting.scoring.get_untracked();
        let mut tuner = Tuner::new(
            SearchSpace::default(),
            state.counting.params.get_untracked(),
        );
        tune.set(TuneState::Running {
            progress: tuner.progress(),
            best: None,
            start: None,
        });
        spawn_local(async move {
            while let Some(candidate) = tuner.next_candidate() {
                // Every image of a candidate at once, each in its worker.
                let replies: Vec<_> = samples
                    .iter()
                    .map(|&(id, worker)| {
                        pool::send(
                            worker,
                            &Request::Score {
                                id,
                                params: candidate.clone(),
                                scoring: opts,
                            },
                        )
                    })
                    .collect();
                let mut scores = Vec::with_capacity(samples.len());
                for reply in replies {
                    if let Ok(Response::Scored(Some(s))) = reply.await {
                        scores.push(*s);
                    }
                }
                if run_id.get_value() != run {
                    return;
                }
                tuner.report(Fitness::of(&scores));
                tune.set(TuneState::Running {
                    progress: tuner.progress(),
                    best: tuner.best_fitness(),
                    start: tuner.start_fitness(),
                });
            }
            let params = tuner.best().clone();
            tune.set(TuneState::Done {
                start: tuner.start_fitness(),
                best: tuner.best_fitness(),
                params: params.clone(),
                cancelled: false,
            });
            state.set_params(|p| *p = params);
        });
    };
    let cancel = move |_| {
        run_id.update_value(|r| *r += 1);
        if let TuneState::Running { best, start, .. } = tune.get_untracked() {
            tune.set(TuneState::Done {
                start,
                best,
                params: state.counting.params.get_untracked(),
                cancelled: true,
            });
        }
    };
    let space = SearchSpace::default().describe();
    view! {
        <section class="panel tune" aria-label="Auto-tune" data-testid="tune-panel">
            <h2>"Auto-tune"</h2>
            <p class="hint small">
                {move || match with_masks() {
                    0 => "Load images with masks to tune the parameters on them.".to_string(),
                    n => format!("Searches the parameters that maximise pooled F1 on the {n} image(s) with masks."),
                }}
            </p>
            <div class="row">
                <button class="button" data-testid="tune-start" on:click=start
                    disabled=move || with_masks() == 0 || matches!(tune.get(), TuneState::Running { .. })>
                    "Auto-tune"
                </button>
                <Show when=move || matches!(tune.get(), TuneState::Running { .. })>
                    <button class="button" data-testid="tune-cancel" on:click=cancel>"Cancel"</button>
                </Show>
            </div>
            {move || match tune.get() {
                TuneState::Idle => ().into_any(),
                TuneState::Running { progress, best, start } => view! {
                    <progress data-testid="tune-progress" max=progress.total.to_string()
                        value=progress.done.to_string()
                        aria-label="Auto-tune progress"></progress>
                    <p class="small" data-testid="tune-status">
                        {format!("{} of about {} candidates · F1 {} → best {}", progress.done, progress.total, f1(start), f1(best))}
                    </p>
                }.into_any(),
                TuneState::Done { start, best, params, cancelled } => view! {
                    <p class="small" data-testid="tune-result">
                        {if cancelled {
                            format!("Cancelled. Best so far F1 {} (start {}); the parameters were not changed.", f1(best), f1(start))
                        } else {
                            format!("Done: pooled F1 {} → {} on the images it was tuned on (not an estimate for new images: cross-validate in Ground truth). The tuned parameters are now in use.", f1(start), f1(best))
                        }}
                    </p>
                    <details><summary>"Tuned parameters"</summary><code>{params.to_query()}</code></details>
                }.into_any(),
            }}
            <details class="small">
                <summary>"Search space"</summary>
                <pre>{space}</pre>
                <p>"Coordinate ascent from the current parameters: each setting in turn takes each value, the best is kept, until a round changes nothing."</p>
            </details>
        </section>
    }
}
