//! Ground-truth figures: the selected image's score and the pooled figures of every image with a
//! mask, by the reference protocol (Morelli et al. 2021).

use super::cv::CrossValidation;
use crate::app::state::use_app_state;
use crate::count::scoring::{ImageScore, Pooled};
use leptos::prelude::*;

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "–".into()
    }
}

/// One row of a figures table.
#[component]
fn Figure(label: &'static str, testid: &'static str, value: String) -> impl IntoView {
    view! {
        <tr><th scope="row">{label}</th><td data-testid=testid>{value}</td></tr>
    }
}

fn image_rows(s: &ImageScore) -> impl IntoView + use<> {
    view! {
        <Figure label="True cells" testid="m-true" value=s.true_count.to_string() />
        <Figure label="Detected" testid="m-pred" value=s.pred_count.to_string() />
        <Figure label="TP" testid="m-tp" value=s.tp.to_string() />
        <Figure label="FP" testid="m-fp" value=s.fp.to_string() />
        <Figure label="FN" testid="m-fn" value=s.fn_.to_string() />
        <Figure label="Precision" testid="m-precision" value=pct(s.precision()) />
        <Figure label="Recall" testid="m-recall" value=pct(s.recall()) />
        <Figure label="F1" testid="m-f1" value=pct(s.f1()) />
        <Figure label="Count error" testid="m-abs-error" value=s.abs_error().to_string() />
        <Figure label="Pixel IoU" testid="m-iou" value=pct(s.iou()) />
        <Figure label="Dice" testid="m-dice" value=pct(s.dice()) />
    }
}

fn pooled_rows(p: &Pooled) -> impl IntoView + use<> {
    view! {
        <Figure label="Images" testid="p-images" value=p.n_images.to_string() />
        <Figure label="TP / FP / FN" testid="p-counts" value=format!("{} / {} / {}", p.tp, p.fp, p.fn_) />
        <Figure label="Precision" testid="p-precision" value=pct(p.precision()) />
        <Figure label="Recall" testid="p-recall" value=pct(p.recall()) />
        <Figure label="F1" testid="p-f1" value=pct(p.f1()) />
        <Figure label="MAE" testid="p-mae" value=pct(p.mae) />
        <Figure label="MedAE" testid="p-medae" value=pct(p.medae) />
        <Figure label="MPE" testid="p-mpe" value=p.mpe.map_or_else(|| "–".into(), |m| format!("{:.1}%", 100.0 * m)) />
    }
}

/// The score of the selected image and the pooled figures, with the matching distance.
#[component]
pub fn Metrics() -> impl IntoView {
    let state = use_app_state();
    let selected = move || state.selected_outcome().and_then(|o| o.score);
    let pooled = move || state.pooled();
    let distance = move || state.counting.scoring.with(|s| s.max_distance.to_string());
    let on_distance = move |e| {
        if let Ok(d) = event_target_value(&e).trim().parse::<f64>()
            && d.is_finite()
            && d > 0.0
            && d <= 10_000.0
        {
            state.counting.scoring.update(|s| s.max_distance = d);
            state.recount_all();
        }
    };
    view! {
        <section class="panel metrics" aria-label="Ground truth" data-testid="metrics">
            <h2>"Ground truth"</h2>
            {move || match (selected(), pooled()) {
                (None, None) => view! {
                    <p class="hint">
                        "Drop ground-truth masks with your images to score the counts: "
                        "the same name in a masks/ folder, or a _mask suffix. "
                        "Any pixel above 0 is cell."
                    </p>
                }.into_any(),
                (sel, pool) => view! {
                    {sel.map(|s| view! {
                        <table class="figures" data-testid="image-metrics">
                            <caption>"This image"</caption>
                            {image_rows(&s)}
                        </table>
                    })}
                    {pool.map(|p| view! {
                        <table class="figures" data-testid="pooled-metrics">
                            <caption>"All images with masks (pooled)"</caption>
                            {pooled_rows(&p)}
                        </table>
                    })}
                }.into_any(),
            }}
            <div class="field">
                <label for="match-distance">"Match distance (px, strictly below)"</label>
                <input id="match-distance" type="number" min="1" step="1" data-testid="match-distance"
                    prop:value=distance on:change=on_distance />
            </div>
            <p class="hint small">
                "Scoring as Morelli et al. 2021: 4-connected true objects, bounding-box centres, "
                "each detection (in label order) takes the nearest unmatched true cell. "
                "Overlay: blue matched, white false positive, purple ring missed."
            </p>
            <CrossValidation />
        </section>
    }
}
