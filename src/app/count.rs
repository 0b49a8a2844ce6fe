//! The count of the selected image, shown large in the header.

use super::state::use_app_state;
use leptos::prelude::*;

/// Count, threshold level and analysis time of the selected image.
#[component]
pub fn CountDisplay() -> impl IntoView {
    let state = use_app_state();
    move || {
        state.selected_outcome().map(|o| {
            let a = o.analysis;
            view! {
                <div class="count-box" aria-live="polite">
                    <span class="count-label">"Cells"</span>
                    <output class="count" data-testid="count">{a.count()}</output>
                    <span class="count-meta">
                        "level "<span data-testid="level">{a.level.map_or_else(|| "local".to_string(), |l| l.to_string())}</span>
                        " · "<span data-testid="analysis-ms">{format!("{:.1}", o.ms)}</span>" ms"
                    </span>
                </div>
            }
        })
    }
}
