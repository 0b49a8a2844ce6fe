//! The count of the selected image, shown large in the header, with its manual corrections.

use super::{state::use_app_state, viewer::annotate};
use leptos::prelude::*;

/// Count, threshold level and analysis time of the selected image; with corrections, the
/// automatic, added and removed numbers and the corrected count.
#[component]
pub fn CountDisplay() -> impl IntoView {
    let state = use_app_state();
    move || {
        state.selected_outcome().map(|o| {
            let a = o.analysis;
            let tally = state
                .images.selected
                .get()
                .and_then(|id| annotate::tally(state, id))
                .filter(|t| t.added > 0 || t.removed > 0);
            view! {
                <div class="count-box" aria-live="polite">
                    <span class="count-label">"Cells"</span>
                    <output class="count" data-testid="count">{a.count()}</output>
                    {tally.map(|t| view! {
                        <span class="count-corrected" data-testid="count-corrected">
                            "corrected "<strong data-testid="count-total">{t.total}</strong>
                            " = "<span data-testid="count-automatic">{t.automatic}</span>" automatic"
                            " + "<span data-testid="count-added">{t.added}</span>" added"
                            " − "<span data-testid="count-removed">{t.removed}</span>" removed"
                        </span>
                    })}
                    <span class="count-meta">
                        "level "<span data-testid="level">{a.level.map_or_else(|| "local".to_string(), |l| l.to_string())}</span>
                        " · "<span data-testid="analysis-ms">{format!("{:.1}", o.ms)}</span>" ms"
                    </span>
                </div>
            }
        })
    }
}
