//! The count of the selected image, shown large in the header, with its manual corrections.

use super::{state::use_app_state, viewer::annotate};
use leptos::prelude::*;

/// The selected image's count, large: the corrected count once it has manual corrections (the
/// number a person reports), else the automatic one; below it, with corrections, how the
/// corrected count is made, and always the threshold level and the analysis time. The header
/// keeps its height either way, so the image under it never moves when a correction is made.
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
            let shown = tally.as_ref().map_or(a.count(), |t| t.total);
            let label = if tally.is_some() { "Cells, corrected" } else { "Cells" };
            view! {
                <div class="count-box" aria-live="polite">
                    <span class="count-label" data-testid="count-label">{label}</span>
                    <output class="count" data-testid="count" data-automatic=a.count()>{shown}</output>
                    <span class="count-meta">
                        {tally.map(|t| view! {
                            <span class="count-corrected" data-testid="count-corrected">
                                <span data-testid="count-automatic">{t.automatic}</span>" automatic"
                                " + "<span data-testid="count-added">{t.added}</span>
                                " − "<span data-testid="count-removed">{t.removed}</span>" · "
                            </span>
                        })}
                        "level "<span data-testid="level">{a.level.map_or_else(|| "local".to_string(), |l| l.to_string())}</span>
                        " · "<span data-testid="analysis-ms">{format!("{:.1}", o.ms)}</span>" ms"
                    </span>
                </div>
            }
        })
    }
}
