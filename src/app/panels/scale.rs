//! *Set scale* (after ImageJ's Analyze › Set Scale): the selected image's calibration, where it
//! came from, and a form to set it by hand for that image or for every image.

use crate::{
    app::state::use_app_state,
    imaging::calibration::{Calibration, Unit},
};
use leptos::prelude::*;

/// Where a calibration set in this form came from.
const BY_HAND: &str = "set by hand";

/// The selected image's calibration and the *Set scale* form. Test ids: `calibration` (the
/// text), `scale-size`, `scale-unit`, `scale-all`, `scale-set`, `scale-clear`, `scale-error`.
#[component]
pub fn ScalePanel() -> impl IntoView {
    let state = use_app_state();
    let size = RwSignal::new(String::new());
    let unit = RwSignal::new(Unit::Um.symbol().to_string());
    let all = RwSignal::new(false);
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
