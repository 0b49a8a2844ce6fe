//! The objects table: one row per object with ImageJ's Results columns, sortable; a click centres
//! the viewer on the object, hovering an object in the image highlights its row.

use super::state::{AppState, use_app_state};
use crate::core::Analysis;
use leptos::{html, prelude::*};
use std::cmp::Ordering;

/// Rows shown at most; the CSV export has them all.
pub const MAX_ROWS: usize = 1000;

/// ImageJ's Results column names (plus our contrast), in ImageJ's order.
pub const COLUMNS: [&str; 17] = [
    " ", "Area", "Mean", "Min", "Max", "X", "Y", "BX", "BY", "Width", "Height", "Perim.", "Circ.",
    "AR", "Round", "Solidity", "Contrast",
];

/// The value of column `c` for object index `i`, as a number (for sorting).
fn value(a: &Analysis, i: usize, c: usize) -> f64 {
    let (o, s) = (&a.objects[i], &a.shapes[i]);
    match c {
        0 => f64::from(o.label),
        1 => o.area as f64,
        2 => o.mean,
        3 => f64::from(o.min),
        4 => f64::from(o.max),
        5 => o.x,
        6 => o.y,
        7 => f64::from(o.bx),
        8 => f64::from(o.by),
        9 => f64::from(o.width),
        10 => f64::from(o.height),
        11 => s.perimeter,
        12 => s.circularity,
        13 => s.aspect_ratio,
        14 => s.roundness,
        15 => s.solidity,
        _ => a.contrast.get(i).copied().unwrap_or(f64::NAN),
    }
}

/// The text of column `c`, with ImageJ's default 3 decimals for measured values.
fn cell(a: &Analysis, i: usize, c: usize) -> String {
    let v = value(a, i, c);
    match c {
        0 | 1 | 3 | 4 | 7..=10 => format!("{v:.0}"),
        _ if v.is_finite() => format!("{v:.3}"),
        _ => "NaN".into(),
    }
}

/// Centres the viewer on object `label` and outlines it.
pub fn choose(state: AppState, label: u32) {
    let Some(o) = state.selected_outcome() else {
        return;
    };
    let Some(ob) = o.analysis.objects.get((label as usize).wrapping_sub(1)) else {
        return;
    };
    state.chosen.set(Some(label));
    state.view.update(|v| *v = v.centred_on(ob.x, ob.y, 1.0));
}

/// The table of the selected image's objects.
#[component]
pub fn ObjectsTable() -> impl IntoView {
    let state = use_app_state();
    // (column, ascending)
    let sort = RwSignal::new((0usize, true));
    let body_ref = NodeRef::<html::Tbody>::new();
    let rows = Memo::new(move |_| {
        let Some(o) = state.selected_outcome() else {
            return (Vec::new(), 0);
        };
        let a = &o.analysis;
        let (c, asc) = sort.get();
        let mut order: Vec<usize> = (0..a.objects.len()).collect();
        order.sort_by(|&x, &y| {
            let ord = value(a, x, c)
                .partial_cmp(&value(a, y, c))
                .unwrap_or(Ordering::Equal)
                .then(x.cmp(&y));
            if asc { ord } else { ord.reverse() }
        });
        let total = order.len();
        order.truncate(MAX_ROWS);
        let rows: Vec<(u32, Vec<String>)> = order
            .into_iter()
            .map(|i| {
                (
                    a.objects[i].label,
                    (0..COLUMNS.len()).map(|c| cell(a, i, c)).collect(),
                )
            })
            .collect();
        (rows, total)
    });
    // Objects removed by a correction (labels, ascending).
    let removed = Memo::new(move |_| {
        state
            .selected
            .get()
            .and_then(|id| super::annotate::tally(state, id))
            .map(|t| t.removed_labels)
            .unwrap_or_default()
    });
    // An object hovered in the image brings its row into view.
    Effect::new(move |_| {
        let Some(label) = state.readout.with(|r| r.as_ref().and_then(|r| r.object)) else {
            return;
        };
        let Some(body) = body_ref.get_untracked() else {
            return;
        };
        if let Ok(Some(row)) = body.query_selector(&format!("tr[data-label=\"{label}\"]")) {
            let opts = web_sys::ScrollIntoViewOptions::new();
            opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
            opts.set_inline(web_sys::ScrollLogicalPosition::Nearest);
            row.scroll_into_view_with_scroll_into_view_options(&opts);
        }
    });
    let header = move || {
        COLUMNS
            .iter()
            .enumerate()
            .map(|(c, name)| {
                let aria = move || match sort.get() {
                    (s, true) if s == c => "ascending",
                    (s, false) if s == c => "descending",
                    _ => "none",
                };
                let label = if c == 0 { "#" } else { name };
                view! {
                    <th scope="col" aria-sort=aria>
                        <button type="button" class="sort" data-testid=format!("sort-{c}")
                            on:click=move |_| sort.update(|s| *s = if s.0 == c { (c, !s.1) } else { (c, true) })>
                            {label}
                        </button>
                    </th>
                }
            })
            .collect_view()
    };
    let shown = move || {
        let (rows, total) = rows.get();
        if total > rows.len() {
            format!(
                "Showing {} of {total} objects; the CSV export has them all.",
                rows.len()
            )
        } else {
            String::new()
        }
    };
    view! {
        <div class="objects" data-testid="objects">
            <p class="small">{shown}</p>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Objects table">
                <table class="results" data-testid="objects-table">
                    <caption class="sr-only">"Objects of the selected image, ImageJ Results columns"</caption>
                    <thead><tr>{header}</tr></thead>
                    <tbody node_ref=body_ref>
                        <For each=move || rows.get().0 key=|(label, cells)| (*label, cells.clone())
                            children=move |(label, cells)| view! {
                                <tr data-testid="object-row" data-label=label.to_string() tabindex="0"
                                    class:hovered=move || state.hovered.get() == Some(label)
                                    class:chosen=move || state.chosen.get() == Some(label)
                                    class:removed=move || removed.with(|r| r.binary_search(&label).is_ok())
                                    aria-selected=move || (state.chosen.get() == Some(label)).to_string()
                                    on:click=move |_| choose(state, label)
                                    on:keydown=move |e| if e.key() == "Enter" || e.key() == " " {
                                        e.prevent_default();
                                        choose(state, label);
                                    }
                                    on:mouseenter=move |_| state.hovered.set(Some(label))
                                    on:mouseleave=move |_| state.hovered.set(None)>
                                    {cells.into_iter().map(|t| view! { <td>{t}</td> }).collect_view()}
                                </tr>
                            } />
                    </tbody>
                </table>
            </div>
        </div>
    }
}
