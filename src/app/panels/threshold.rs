//! The threshold level slider: shows the level in use, and moving it switches to a manual level.

use crate::app::state::use_app_state;
use crate::count::ThresholdMethod;
use leptos::prelude::*;

/// A range input from 0 to the selected image's largest value.
#[component]
pub fn ThresholdControl() -> impl IntoView {
    let state = use_app_state();
    let max = Memo::new(move |_| {
        state
            .selected_outcome()
            .map_or(255, |o| o.analysis.max_value)
    });
    // With an automatic method the slider shows the level it chose for the selected image;
    // otherwise the manual level. A local threshold has no single level.
    let value = Memo::new(move |_| {
        let p = state.counting.params.get();
        match (p.method, state.selected_outcome()) {
            (ThresholdMethod::Auto(_), Some(o)) => {
                o.analysis.level.unwrap_or(o.analysis.otsu_level)
            }
            _ => p.level.min(max.get()),
        }
    });
    let local = Memo::new(move |_| {
        state
            .counting
            .params
            .with(|p| matches!(p.method, ThresholdMethod::Local(_)))
    });
    let on_input = move |e| {
        if let Ok(level) = event_target_value(&e).parse::<u16>() {
            state.set_params(|p| {
                p.method = ThresholdMethod::Manual;
                p.level = level;
            });
        }
    };
    view! {
        <div class="field">
            <label for="threshold">
                "Threshold level "
                <output for="threshold" data-testid="threshold-value">
                    {move || if local.get() { "local".to_string() } else { value.get().to_string() }}
                </output>
            </label>
            // Rebuilt when the depth changes, so the value is never clamped by a stale max.
            {move || {
                let max = max.get().to_string();
                view! {
                    <input id="threshold" type="range" min="0" max=max step="1" data-testid="threshold"
                        prop:value=move || value.get().to_string() on:input=on_input />
                }
            }}
        </div>
    }
}
