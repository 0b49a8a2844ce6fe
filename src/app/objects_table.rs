//! The objects table: one row per object with ImageJ's Results columns and the cell-body
//! measures, sortable; a click centres the viewer on the object, hovering an object in the image
//! highlights its row. With *Show rejected*, the objects a filter removed are listed too, with
//! the filter that removed each.

use super::state::{AppState, use_app_state};
use crate::count::{
    Analysis, Params,
    pipeline::Reject,
    table::{OBJECTS, ObjectRow},
};
use leptos::{html, prelude::*};
use std::cmp::Ordering;

/// Rows shown at most; the CSV export has them all.
pub const MAX_ROWS: usize = 1000;

/// A row of the table: counted object `i`, or rejected object `i` (0-based, label order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Which {
    Kept(usize),
    Rejected(usize),
}

/// The measurements of a row, if the analysis has them all.
fn row(a: &Analysis, which: Which) -> Option<ObjectRow> {
    match which {
        Which::Kept(i) => ObjectRow::kept(a, i),
        Which::Rejected(i) => ObjectRow::rejected(a, i),
    }
}

/// A number as the parameter text writes it, shortened.
fn short(v: f64) -> String {
    let t = format!("{v:.3}");
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Which filter removed rejected object `i` (0-based) and why, with the value that failed it
/// against the setting (`params` as the image was counted, sizes resolved at its diameter),
/// e.g. `min_area: smaller than the minimum area (area 85 < 300)`.
pub fn why_rejected(a: &Analysis, i: usize, params: &Params) -> Option<String> {
    let why = *a.rejected_why.get(i)?;
    let r = row(a, Which::Rejected(i))?;
    let p = params.resolved(a.diameter);
    let detail = match why {
        Reject::Small => format!("area {} < {}", r.stats.area, p.min_area),
        Reject::Large => format!(
            "area {} > {}",
            r.stats.area,
            p.max_area.map_or_else(|| "∞".into(), |m| m.to_string())
        ),
        Reject::Circularity => format!(
            "circularity {} outside {}–{}",
            short(r.shape.circularity),
            short(p.min_circularity),
            short(p.max_circularity)
        ),
        Reject::Mean => format!("mean {} < {}", short(r.stats.mean), short(p.min_mean)),
        Reject::Contrast => format!("contrast {} < {}", short(r.contrast), short(p.min_contrast)),
        Reject::Edge => "exclude on edges is on".into(),
        Reject::Thin => format!(
            "thickness {} < {}",
            short(r.body.thickness),
            short(p.min_thickness)
        ),
        Reject::Elongated => format!(
            "elongation {} > {}",
            short(r.body.elongation),
            short(p.max_elongation)
        ),
        Reject::NotBlob if p.blob_exempt > 0.0 => format!(
            "blob {} < {}, thickness {} not from {} to {}",
            short(r.body.blob),
            short(p.min_blob),
            short(r.body.thickness),
            short(p.blob_exempt),
            short(2.0 * p.blob_exempt)
        ),
        Reject::NotBlob => format!("blob {} < {}", short(r.body.blob), short(p.min_blob)),
        Reject::Dim => format!(
            "brightness {} < {}",
            short(r.body.brightness),
            short(p.min_brightness)
        ),
        Reject::LowRing => format!("ring {} < {}", short(r.body.ring), short(p.min_ring)),
        Reject::Classifier if r.score.is_finite() => {
            format!("score {} < cut-off", short(f64::from(r.score)))
        }
        Reject::Classifier => "score under the cut-off".into(),
    };
    Some(format!("{}: {} ({detail})", why.name(), why.reason()))
}

/// Centres the viewer on object `label` and outlines it.
pub fn choose(state: AppState, label: u32) {
    let Some(o) = state.selected_outcome() else {
        return;
    };
    let Some(ob) = o.analysis.objects.get((label as usize).wrapping_sub(1)) else {
        return;
    };
    state.viewer.chosen.set(Some(label));
    state
        .viewer
        .view
        .update(|v| *v = v.centred_on(ob.x, ob.y, 1.0));
}

/// Centres the viewer on rejected object `label`.
fn show_rejected_object(state: AppState, label: u32) {
    let Some(o) = state.selected_outcome() else {
        return;
    };
    let Some(ob) = o
        .analysis
        .rejected_objects
        .get((label as usize).wrapping_sub(1))
    else {
        return;
    };
    state.viewer.chosen.set(None);
    state
        .viewer
        .view
        .update(|v| *v = v.centred_on(ob.x, ob.y, 1.0));
}

/// One row as drawn: which object, its cells, and for a rejected one the filter and why.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Line {
    /// The table has the Filter column (rows are drawn anew when it comes or goes).
    filter_column: bool,
    label: u32,
    cells: Vec<String>,
    filter: Option<(&'static str, String)>,
}

/// The selected image's figures above the table: objects, rejected ones and the diameter used.
#[component]
fn ObjectsSummary(show_rejected: RwSignal<bool>) -> impl IntoView {
    let state = use_app_state();
    let figures = move || {
        state.selected_outcome().map(|o| {
            let a = &o.analysis;
            let how = if a.diameter_estimated {
                "estimated from the image"
            } else {
                "given"
            };
            (a.count(), a.rejected_objects.len(), a.diameter, how)
        })
    };
    view! {
        <div class="objects-summary row" data-testid="objects-summary">
            {move || figures().map(|(n, r, d, how)| view! {
                <span class="small">
                    {n}" objects · "{r}" removed by a filter · expected cell diameter "
                    <span data-testid="objects-diameter">{format!("{d:.0} px")}</span>
                    " ("{how}")"
                </span>
            })}
            <span class="field check inline">
                <input id="show-rejected" type="checkbox" data-testid="show-rejected"
                    prop:checked=move || show_rejected.get()
                    on:change=move |e| show_rejected.set(event_target_checked(&e)) />
                <label for="show-rejected">"Show rejected"</label>
            </span>
        </div>
    }
}

/// The table of the selected image's objects.
#[component]
pub fn ObjectsTable() -> impl IntoView {
    let state = use_app_state();
    // (column, ascending)
    let sort = RwSignal::new((0usize, true));
    let show_rejected = RwSignal::new(false);
    let body_ref = NodeRef::<html::Tbody>::new();
    let rows = Memo::new(move |_| {
        let Some(o) = state.selected_outcome() else {
            return (Vec::new(), 0);
        };
        let a = &o.analysis;
        let params = &o.key.0;
        let calibration = state
            .images
            .selected
            .get()
            .and_then(|id| state.images.calibration_of(id));
        let (c, asc) = sort.get();
        let column = OBJECTS.get(c).unwrap_or(&OBJECTS[0]);
        let mut order: Vec<Which> = (0..a.objects.len()).map(Which::Kept).collect();
        let with_rejected = show_rejected.get();
        if with_rejected {
            order.extend((0..a.rejected_objects.len()).map(Which::Rejected));
        }
        // Each row's value in the sorted column, taken once.
        let mut keyed: Vec<(Which, f64)> = order
            .into_iter()
            .map(|w| (w, row(a, w).map_or(f64::NAN, |r| (column.value)(&r))))
            .collect();
        // By number: the counted objects, then the rejected ones.
        let kind = |w: Which| u8::from(c == 0 && matches!(w, Which::Rejected(_)));
        keyed.sort_by(|&(x, vx), &(y, vy)| {
            let ord = kind(x)
                .cmp(&kind(y))
                .then_with(|| vx.partial_cmp(&vy).unwrap_or(Ordering::Equal))
                .then_with(|| match (x, y) {
                    (Which::Kept(i), Which::Kept(j)) | (Which::Rejected(i), Which::Rejected(j)) => {
                        i.cmp(&j)
                    }
                    (Which::Kept(_), Which::Rejected(_)) => Ordering::Less,
                    (Which::Rejected(_), Which::Kept(_)) => Ordering::Greater,
                });
            if asc { ord } else { ord.reverse() }
        });
        let total = keyed.len();
        keyed.truncate(MAX_ROWS);
        let lines: Vec<Line> = keyed
            .into_iter()
            .filter_map(|(w, _)| {
                let r = row(a, w)?.calibrated(calibration);
                let cells = OBJECTS.iter().map(|c| c.text(&r)).collect();
                let filter = match w {
                    Which::Rejected(i) => Some((
                        a.rejected_why.get(i).map_or("", |x| x.name()),
                        why_rejected(a, i, params).unwrap_or_default(),
                    )),
                    Which::Kept(_) => None,
                };
                Some(Line {
                    filter_column: with_rejected,
                    label: r.stats.label,
                    cells,
                    filter,
                })
            })
            .collect();
        (lines, total)
    });
    // Objects removed by a correction (labels, ascending).
    let removed = Memo::new(move |_| {
        state
            .images
            .selected
            .get()
            .and_then(|id| super::viewer::annotate::tally(state, id))
            .map(|t| t.removed_labels)
            .unwrap_or_default()
    });
    // An object hovered in the image brings its row into view.
    Effect::new(move |_| {
        let Some(label) = state
            .viewer
            .readout
            .with(|r| r.as_ref().and_then(|r| r.object))
        else {
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
        let unit = state
            .images
            .selected
            .get()
            .and_then(|id| state.images.calibration_of(id))
            .map(|c| c.unit);
        let columns = OBJECTS
            .iter()
            .enumerate()
            .map(|(c, column)| {
                let aria = move || match sort.get() {
                    (s, true) if s == c => "ascending",
                    (s, false) if s == c => "descending",
                    _ => "none",
                };
                view! {
                    <th scope="col" aria-sort=aria title=column.tooltip_in(unit)>
                        <button type="button" class="sort" data-testid=format!("sort-{c}")
                            on:click=move |_| sort.update(|s| *s = if s.0 == c { (c, !s.1) } else { (c, true) })>
                            {column.heading_in(unit)}
                        </button>
                    </th>
                }
            })
            .collect_view();
        let filter = move || {
            show_rejected.get().then(|| {
                view! {
                    <th scope="col" title="The filter that removed the object (empty: counted)">
                        <span class="sort">"Filter"</span>
                    </th>
                }
            })
        };
        view! { {columns}{filter} }
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
            <ObjectsSummary show_rejected />
            <p class="small">{shown}</p>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Objects table">
                <table class="results" data-testid="objects-table">
                    <caption class="sr-only">"Objects of the selected image, ImageJ Results columns and cell-body measures"</caption>
                    <thead><tr>{header}</tr></thead>
                    <tbody node_ref=body_ref>
                        <For each=move || rows.get().0 key=|line| line.clone()
                            children=move |line| {
                                let Line { filter_column, label, cells, filter } = line;
                                let cells = cells.into_iter().map(|t| view! { <td>{t}</td> }).collect_view();
                                match filter {
                                    Some((name, why)) => {
                                        let row_title = why.clone();
                                        view! {
                                        <tr data-testid="rejected-row" data-rejected=label.to_string()
                                            class="rejected" tabindex="0" title=row_title
                                            on:click=move |_| show_rejected_object(state, label)
                                            on:keydown=move |e| if e.key() == "Enter" || e.key() == " " {
                                                e.prevent_default();
                                                show_rejected_object(state, label);
                                            }>
                                            {cells}
                                            <td class="filter" data-testid="rejected-filter" title=why>{name}</td>
                                        </tr>
                                        }.into_any()
                                    }
                                    None => view! {
                                        <tr data-testid="object-row" data-label=label.to_string() tabindex="0"
                                            class:hovered=move || state.viewer.hovered.get() == Some(label)
                                            class:chosen=move || state.viewer.chosen.get() == Some(label)
                                            class:removed=move || removed.with(|r| r.binary_search(&label).is_ok())
                                            aria-selected=move || (state.viewer.chosen.get() == Some(label)).to_string()
                                            on:click=move |_| choose(state, label)
                                            on:keydown=move |e| if e.key() == "Enter" || e.key() == " " {
                                                e.prevent_default();
                                                choose(state, label);
                                            }
                                            on:mouseenter=move |_| state.viewer.hovered.set(Some(label))
                                            on:mouseleave=move |_| state.viewer.hovered.set(None)>
                                            {cells}
                                            {filter_column.then(|| view! { <td class="filter"></td> })}
                                        </tr>
                                    }.into_any(),
                                }
                            } />
                    </tbody>
                </table>
            </div>
        </div>
    }
}
