//! The Learn panel: train an object classifier on the images with masks or corrections, see how
//! it does on images it was not trained on, count with it, save and load it.

use super::{
    curve::{PrCurve, at},
    file,
    importance::Importance,
    session::{Figures, Run, set_cutoff, use_learning},
    train::{self, labelled_images},
};
use crate::{
    app::state::use_app_state,
    count::{
        learn::{self, HeldOutFigures},
        scoring::{ImageScore, Pooled},
    },
};
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;

fn f3(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "–".into()
    }
}

/// The median and range of `v`, as "0.616 (0.513 to 0.653)".
fn median_range(v: &[f64]) -> String {
    learn::median_range(v).map_or_else(
        || "–".into(),
        |(m, lo, hi)| format!("{} ({} to {})", f3(m), f3(lo), f3(hi)),
    )
}

/// How much the held-out figures owe to the forest's random draws: the pooled F1 and MAE of the
/// same cross-validation with each seed, each fold at its own cut-off.
fn seed_spread(seeds: &[HeldOutFigures]) -> Option<AnyView> {
    if seeds.len() < 2 {
        return None;
    }
    let n = seeds.len();
    let f1 = median_range(&seeds.iter().map(|s| s.f1).collect::<Vec<_>>());
    let mae = median_range(&seeds.iter().map(|s| s.mae).collect::<Vec<_>>());
    Some(
        view! {
            <p class="small" data-testid="learn-seeds">
                {format!(
                    "The same cross-validation with {n} seeds of the forest (its random draws), each fold at the cut-off chosen without its image: pooled F1 median {f1}, MAE {mae}. With few images these move with the seed; read the range, not one figure."
                )}
            </p>
        }
        .into_any(),
    )
}

fn figures_view(f: &Figures, cutoff: Signal<f32>) -> AnyView {
    if f.held.is_empty() {
        return view! {
            <p class="small hint" data-testid="learn-one-image">
                "One labelled image: the model is trained, but the figures on unseen images need two or more (each image is scored by a model trained without it)."
            </p>
        }
        .into_any();
    }
    let rows: Vec<_> = f
        .held
        .iter()
        .map(|h| {
            let name = f.names.get(h.image).cloned().unwrap_or_default();
            let truth = f.true_counts.get(h.image).copied().unwrap_or(0);
            let d = 2 * h.tp + h.fp + h.fn_;
            let f1 = if d == 0 {
                1.0
            } else {
                f64::from(2 * h.tp) / f64::from(d)
            };
            view! {
                <tr data-testid="learn-cv-image">
                    <th scope="row" class="name" title=name.clone()>{name.clone()}</th>
                    <td>{truth}</td>
                    <td>{h.count()}</td>
                    <td title=format!("at the cut-off {:.2}, chosen without this image", h.cutoff)>
                        {format!("{}/{}/{}", h.tp, h.fp, h.fn_)}
                    </td>
                    <td data-testid="learn-cv-f1">{f3(f1)}</td>
                </tr>
            }
        })
        .collect();
    // The rows pooled, each at its own fold's cut-off: the command line's pooled figure.
    let scores: Vec<ImageScore> = f
        .held
        .iter()
        .map(|h| h.image_score(f.true_counts.get(h.image).copied().unwrap_or(0)))
        .collect();
    let pooled = Pooled::new(&scores);
    let curve = f.curve.clone();
    let at_cutoff = {
        let curve = curve.clone();
        move || {
            let c = cutoff.get();
            at(&curve, c).map(|p| {
                // The curve has a point every 0.02; a cut-off between two is named with both.
                let at = if (p.cutoff - c).abs() < 0.005 {
                    format!("At cut-off {c:.2}")
                } else {
                    format!(
                        "At cut-off {:.2} (the curve's point nearest {c:.2})",
                        p.cutoff
                    )
                };
                format!(
                    "The curve scores every held-out image at one cut-off. {at}: precision {}, recall {}, F1 {}",
                    f3(p.precision),
                    f3(p.recall),
                    f3(p.f1)
                )
            })
        }
    };
    view! {
        <div class="cv-scroll">
        <table class="figures cv-table" data-testid="learn-cv-table">
            <caption>"Each image scored by a model trained without it"</caption>
            <thead>
                <tr>
                    <th scope="col">"Held-out image"</th>
                    <th scope="col">"True"</th>
                    <th scope="col">"Counted"</th>
                    <th scope="col" title="true positives / false positives / false negatives, at the cut-off chosen without the image">"TP/FP/FN"</th>
                    <th scope="col">"F1"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
            <tfoot>
                <tr data-testid="learn-cv-pooled">
                    <th scope="row" title="the rows summed, each image at the cut-off chosen without it">"Pooled"</th>
                    <td>{pooled.true_count}</td>
                    <td>{pooled.pred_count}</td>
                    <td>{format!("{}/{}/{}", pooled.tp, pooled.fp, pooled.fn_)}</td>
                    <td data-testid="learn-cv-pooled-f1">{f3(pooled.f1())}</td>
                </tr>
            </tfoot>
        </table>
        </div>
        <p class="small" data-testid="learn-pooled" aria-live="polite">{at_cutoff}</p>
        {seed_spread(&f.seeds)}
        <PrCurve curve=curve cutoff=cutoff />
    }
    .into_any()
}

/// The Learn panel.
#[component]
pub fn LearnPanel() -> impl IntoView {
    let state = use_app_state();
    let learning = use_learning();
    let labelled = Memo::new(move |_| labelled_images(state).len());
    let running = move || {
        matches!(
            learning.run.get(),
            Run::Labelling { .. } | Run::Training { .. }
        )
    };
    // The cut-off shown: the one moved by hand, else the model's own (the own model's, else the
    // selected image's built-in's).
    let cutoff = Signal::derive(move || {
        let own = learning.own.with(|o| o.as_ref().map(|o| o.model.cutoff));
        let selected = state.images.selected.get();
        state.counting.model.with(|m| {
            m.cutoff
                .or_else(|| selected.and_then(|id| m.cutoff_of(state.counted_as(id))))
                .or(own)
                .unwrap_or(0.5)
        })
    });
    let model_on = move || state.counting.model.with(|m| m.is_on());
    let can_switch = move || {
        learning.own.with(Option::is_some)
            || super::session::builtin_model(super::session::AUTO).is_some()
    };
    let start = move |_| spawn_local(train::train(state, learning));
    let on_load = move |e: leptos::ev::Event| {
        let Some(input) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let file = input.files().and_then(|f| f.get(0));
        input.set_value("");
        if let Some(file) = file {
            spawn_local(file::load(state, learning, file));
        }
    };
    view! {
        <section class="panel learn" aria-label="Learn" data-testid="learn-panel">
            <h2>"Learn"</h2>
            <p class="hint small" data-testid="learn-reason">
                {move || match labelled.get() {
                    0 => "Train a classifier of what your lab counts: attach a mask to an image, or correct its count (add or remove cells), then train.".to_string(),
                    1 => "1 image with a mask or corrections: the model can be trained; figures on unseen images need two or more.".to_string(),
                    n => format!("{n} images with masks or corrections: each is also scored by a model trained on the others."),
                }}
            </p>
            <div class="row">
                <button class="button" type="button" data-testid="learn-train" on:click=start
                    disabled=move || labelled.get() == 0 || running()>"Train"</button>
                <Show when=running>
                    <button class="button" type="button" data-testid="learn-cancel"
                        on:click=move |_| train::cancel(learning)>"Cancel"</button>
                </Show>
            </div>
            {move || match learning.run.get() {
                Run::Idle => ().into_any(),
                Run::Labelling { done, total } => view! {
                    <progress data-testid="learn-progress" max=total.to_string() value=done.to_string()
                        aria-label="Training progress"></progress>
                    <p class="small" data-testid="learn-status" aria-live="polite">
                        {format!("Finding candidates: {done} of {total} images")}
                    </p>
                }.into_any(),
                Run::Training { done, total } => view! {
                    <progress data-testid="learn-progress" max=total.max(1).to_string() value=done.to_string()
                        aria-label="Training progress"></progress>
                    <p class="small" data-testid="learn-status" aria-live="polite">
                        {format!("Training: {done} of {total} trees")}
                    </p>
                }.into_any(),
                Run::Cancelled => view! { <p class="small" data-testid="learn-status">"Cancelled."</p> }.into_any(),
                Run::Failed(reason) => view! {
                    <p class="small error" data-testid="learn-status" role="alert">{format!("Training failed: {reason}")}</p>
                }.into_any(),
                Run::Done(f) => figures_view(&f, cutoff),
            }}
            <h3>"Model"</h3>
            <p class="small" data-testid="learn-model">
                {move || {
                    let own = learning.own.get();
                    match (state.counting.model.with(|m| m.builtin_name().map(String::from)), own) {
                        (Some(name), _) => format!("Counting with the built-in model \"{name}\"."),
                        (None, Some(o)) => format!("Your model: {} ({}).", o.origin, o.model.trained_on),
                        (None, None) => "No model of your own yet.".to_string(),
                    }
                }}
            </p>
            <label class="check">
                <input type="checkbox" data-testid="learn-use"
                    prop:checked=model_on
                    disabled=move || !can_switch()
                    on:change=move |e| learning.switch(state, event_target_checked(&e)) />
                "Count with the model"
            </label>
            <p class="hint small">
                {move || if learning.own.with(Option::is_some) {
                    "Counts, the overlay (objects coloured by score, red 0 to cyan 1, unless the ground-truth layer colours them by match), the objects table, Results and the batch follow the model; objects under the cut-off join the Rejected layer."
                } else {
                    "Without a model of your own, the switch counts with the built-in model (trained on the sample images and a synthetic suite), each image with its own colour's candidates."
                }}
            </p>
            <label class="field">
                <span>{move || format!("Cut-off {:.2}", cutoff.get())}</span>
                <input type="range" min="0" max="1" step="0.01" data-testid="learn-cutoff"
                    aria-label="Cut-off: objects scoring at least this are counted"
                    prop:value=move || format!("{:.2}", cutoff.get())
                    on:input=move |e| {
                        if let Ok(v) = event_target_value(&e).parse::<f32>() {
                            set_cutoff(state, v);
                        }
                    } />
            </label>
            <div class="row">
                <button class="button" type="button" data-testid="learn-save"
                    disabled=move || learning.own.with(Option::is_none)
                    on:click=move |_| file::save(state, learning)>"Save model…"</button>
                <label class="button">
                    "Load model…"
                    <input type="file" accept=".fcmodel,text/plain" class="sr-only" data-testid="learn-load"
                        on:change=on_load />
                </label>
            </div>
            {move || learning.notice.get().map(|n| view! {
                <p class="small" data-testid="learn-notice" role="status">{n}</p>
            })}
            {move || learning.own.get().map(|o| view! {
                <h3>"What the model looks at"</h3>
                <Importance importance=o.model.importance.clone() />
            })}
        </section>
    }
}

/// Next to the share button: an own model cannot travel in a link.
#[component]
pub fn OwnModelLinkNote() -> impl IntoView {
    let state = use_app_state();
    view! {
        <Show when=move || state.counting.model.with(|m| m.is_own())>
            <p class="small hint link-note" data-testid="learn-link-note">
                "Your own model is not in the link: whoever opens it counts without it (send the .fcmodel file)."
            </p>
        </Show>
    }
}
