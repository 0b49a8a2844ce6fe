//! *Set scale* (after ImageJ's Analyze › Set Scale): the selected image's calibration, where it
//! came from, and a form to set it by hand for that image or for every image.

use crate::{
    app::state::use_app_state,
    imaging::calibration::{Calibration, Unit},
};
use leptos::prelude::*;

/// Where a calibration set in this form came from.
const BY_HAND: &str = "set by hand";

/// The pixel size `known / pixels` as the form shows it, if both are numbers above 0.
fn from_known(pixels: &str, known: &str) -> Option<String> {
    let (p, k) = (
        pixels.trim().parse::<f64>().ok()?,
        known.trim().parse::<f64>().ok()?,
    );
    (p > 0.0 && k > 0.0 && (k / p).is_finite()).then(|| format!("{}", k / p))
}

/// The selected image's calibration and the *Set scale* form. Test ids: `calibration` (the
/// text), `scale-size`, `scale-unit`, `scale-pixels` and `scale-known` (ImageJ's distance in
/// pixels and known distance, which fill the pixel size), `scale-all`, `scale-set`,
/// `scale-clear`, `scale-error`.
#[component]
pub fn ScalePanel() -> impl IntoView {
    let state = use_app_state();
    let size = RwSignal::new(String::new());
    let unit = RwSignal::new(Unit::Um.symbol().to_string());
    let all = RwSignal::new(false);
    let pixels = RwSignal::new(String::new());
    let known = RwSignal::new(String::new());
    let fill = move || {
        if let Some(v) = from_known(&pixels.get_untracked(), &known.get_untracked()) {
            size.set(v);
        }
    };
    let error = RwSignal::new(String::new());
    let selected = move || state.images.selected.get();
    let text = move || {
        let Some(id) = selected() else {
            return "No image".to_string();
        };
        state.images.calibrations.with(|c| match c.get(&id) {
            Some(c) => format!("{}, {}", c.calibration.describe(), c.from),
            None => "uncalibrated (pixels)".to_string(),
        })
    };
    let ids = move || -> Vec<u64> {
        if all.get_untracked() {
            state
                .images
                .slots
                .with_value(|s| s.keys().copied().collect())
        } else {
            selected().into_iter().collect()
        }
    };
    let apply = move || {
        let value = size.get_untracked();
        let parsed = value.trim().parse::<f64>().ok();
        let u = Unit::parse(&unit.get_untracked());
        match (
            parsed.zip(u).and_then(|(v, u)| Calibration::square(v, u)),
            ids(),
        ) {
            (_, ids) if ids.is_empty() => error.set("Load an image first.".into()),
            (Some(c), ids) => {
                error.set(String::new());
                for id in ids {
                    state.set_calibration(id, c, BY_HAND);
                }
            }
            (None, _) => error.set(format!(
                "“{value}” is not a pixel size: give a number above 0 (10 pm to 1 m a pixel)."
            )),
        }
    };
    let clear = move || {
        error.set(String::new());
        for id in ids() {
            state.clear_calibration(id);
        }
    };
    view! {
        <section class="panel scale" aria-label="Scale" data-testid="scale-panel">
            <h2>"Scale"</h2>
            <p data-testid="calibration">{text}</p>
            <form class="scale-form" on:submit=move |e| { e.prevent_default(); apply(); }>
                <div class="field">
                    <label for="scale-size">"Pixel size"</label>
                    <input id="scale-size" type="number" min="0" step="any" data-testid="scale-size"
                        title="The width of one pixel in the unit (ImageJ's Set Scale: known distance / distance in pixels)"
                        prop:value=move || size.get()
                        on:input=move |e| size.set(event_target_value(&e)) />
                    <label class="sr-only" for="scale-unit">"Unit"</label>
                    <select id="scale-unit" data-testid="scale-unit"
                        on:change=move |e| unit.set(event_target_value(&e))>
                        {Unit::ALL.into_iter().map(|u| view! {
                            <option value=u.symbol() selected=move || unit.get() == u.symbol()>{u.symbol()}</option>
                        }).collect_view()}
                    </select>
                    <span class="small">"/pixel"</span>
                </div>
                <details class="known-distance">
                    <summary>"From a known distance"</summary>
                    <div class="field">
                        <label for="scale-pixels">"Distance in pixels"</label>
                        <input id="scale-pixels" type="number" min="0" step="any" data-testid="scale-pixels"
                            prop:value=move || pixels.get()
                            on:input=move |e| { pixels.set(event_target_value(&e)); fill(); } />
                    </div>
                    <div class="field">
                        <label for="scale-known">"Known distance (in the unit)"</label>
                        <input id="scale-known" type="number" min="0" step="any" data-testid="scale-known"
                            prop:value=move || known.get()
                            on:input=move |e| { known.set(event_target_value(&e)); fill(); } />
                    </div>
                    <p class="small" data-testid="scale-per-unit">{move || {
                        match (pixels.get().trim().parse::<f64>(), known.get().trim().parse::<f64>()) {
                            (Ok(p), Ok(k)) if p > 0.0 && k > 0.0 => format!(
                                "Scale: {:.4} pixels/{}", p / k, unit.get()
                            ),
                            _ => "As ImageJ's Set Scale: the pixel size is the known distance over the distance in pixels.".to_string(),
                        }
                    }}</p>
                </details>
                <div class="field check">
                    <input id="scale-all" type="checkbox" data-testid="scale-all"
                        prop:checked=move || all.get()
                        on:change=move |e| all.set(event_target_checked(&e)) />
                    <label for="scale-all">"Apply to all images"</label>
                </div>
                <div class="buttons">
                    <button class="button" type="submit" data-testid="scale-set">"Set scale"</button>
                    <button class="button" type="button" data-testid="scale-clear"
                        on:click=move |_| clear()>"Remove scale"</button>
                </div>
                <p class="error small" role="alert" data-testid="scale-error">{move || error.get()}</p>
            </form>
        </section>
    }
}
