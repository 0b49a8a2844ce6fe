//! The model's feature importance: a bar chart (SVG) and, for screen readers, the same figures
//! as a table.

use crate::count::learn::FEATURES;
use leptos::prelude::*;

/// Bars of each feature's importance, largest first.
#[component]
pub fn Importance(
    /// Each feature's importance, in the order of [`FEATURES`].
    importance: Vec<f64>,
) -> impl IntoView {
    let mut rows: Vec<(usize, f64)> = importance.iter().copied().enumerate().collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    let max = rows.first().map_or(0.0, |r| r.1).max(1e-9);
    let bar_h = 12.0;
    let height = rows.len() as f64 * bar_h + 4.0;
    let bars: Vec<_> = rows
        .iter()
        .enumerate()
        .map(|(k, &(f, v))| {
            let name = FEATURES.get(f).map_or("?", |x| x.name);
            let y = k as f64 * bar_h + 2.0;
            view! {
                <text class="tick" x="86" y=y + 9.0 text-anchor="end">{name}</text>
                <rect class="bar" x="90" y=y width=(v / max * 150.0).max(0.5) height=bar_h - 3.0 />
            }
        })
        .collect();
    let table: Vec<_> = rows
        .iter()
        .map(|&(f, v)| {
            let (name, def) = FEATURES
                .get(f)
                .map_or(("?", ""), |x| (x.name, x.definition));
            view! {
                <tr><th scope="row">{name}</th><td>{format!("{v:.3}")}</td><td>{def}</td></tr>
            }
        })
        .collect();
    view! {
        <svg class="learn-importance" data-testid="learn-importance" aria-hidden="true"
            viewBox=format!("0 0 250 {height}")>
            {bars}
        </svg>
        // In a clipped box: a table keeps its content's width whatever width it is given, and
        // would widen the panel's scroll area.
        <div class="sr-only">
            <table data-testid="learn-importance-table">
                <caption>"Feature importance of the model, largest first"</caption>
                <thead><tr><th scope="col">"Feature"</th><th scope="col">"Importance"</th><th scope="col">"Definition"</th></tr></thead>
                <tbody>{table}</tbody>
            </table>
        </div>
    }
}
