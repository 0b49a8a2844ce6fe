//! The objects table: one row per object with ImageJ's Results columns and the cell-body
//! measures, sortable; a click centres the viewer on the object, hovering an object in the image
//! highlights its row. With *Show rejected*, the objects a filter removed are listed too, with
//! the filter that removed each.

use super::state::{AppState, use_app_state};
use crate::{
    count::{
        Analysis, Params,
        pipeline::{Body, Reject},
    },
    imaging::{label::ObjectStats, shape::Shape},
};
use leptos::{html, prelude::*};
use std::cmp::Ordering;

/// Rows shown at most; the CSV export has them all.
pub const MAX_ROWS: usize = 1000;

/// The measurements of one row: a counted object or one a filter removed.
pub struct Row<'a> {
    /// Label, area, intensities, centroid, bounding box.
    pub stats: &'a ObjectStats,
    /// Shape descriptors.
    pub shape: &'a Shape,
    /// Contrast to the surroundings.
    pub contrast: f64,
    /// Cell-body measures.
    pub body: &'a Body,
}

/// One column of the table: its header, the definition shown as the header's title, whether it
/// is a whole number, and its value.
pub struct Column {
    /// Header text (ImageJ's Results name where ImageJ has the measure).
    pub name: &'static str,
    /// What the column holds.
    pub title: &'static str,
    /// Shown without decimals.
    pub whole: bool,
    /// The value of a row.
    pub value: fn(&Row) -> f64,
}

/// Every column, in order: ImageJ's Results columns (plus our contrast), then the cell-body
/// measures of `core::body`.
pub const COLUMNS: [Column; 22] = [
    Column {
        name: "#",
        title: "Object number: labels run in raster order of each object's first pixel",
        whole: true,
        value: |r| f64::from(r.stats.label),
    },
    Column {
        name: "Area",
        title: "Area in pixels",
        whole: true,
        value: |r| r.stats.area as f64,
    },
    Column {
        name: "Mean",
        title: "Mean intensity of the analysed channel (before background subtraction)",
        whole: false,
        value: |r| r.stats.mean,
    },
    Column {
        name: "Min",
        title: "Smallest intensity in the object",
        whole: true,
        value: |r| f64::from(r.stats.min),
    },
    Column {
        name: "Max",
        title: "Largest intensity in the object",
        whole: true,
        value: |r| f64::from(r.stats.max),
    },
    Column {
        name: "X",
        title: "Centroid x in pixels (ImageJ: pixel centres at +0.5)",
        whole: false,
        value: |r| r.stats.x,
    },
    Column {
        name: "Y",
        title: "Centroid y in pixels (ImageJ: pixel centres at +0.5)",
        whole: false,
        value: |r| r.stats.y,
    },
    Column {
        name: "BX",
        title: "Left edge of the bounding box",
        whole: true,
        value: |r| f64::from(r.stats.bx),
    },
    Column {
        name: "BY",
        title: "Top edge of the bounding box",
        whole: true,
        value: |r| f64::from(r.stats.by),
    },
    Column {
        name: "Width",
        title: "Width of the bounding box",
        whole: true,
        value: |r| f64::from(r.stats.width),
    },
    Column {
        name: "Height",
        title: "Height of the bounding box",
        whole: true,
        value: |r| f64::from(r.stats.height),
    },
    Column {
        name: "Perim.",
        title: "Perimeter of the traced outline (ImageJ's)",
        whole: false,
        value: |r| r.shape.perimeter,
    },
    Column {
        name: "Circ.",
        title: "Circularity: 4π·area / perimeter² (1 = a circle)",
        whole: false,
        value: |r| r.shape.circularity,
    },
    Column {
        name: "AR",
        title: "Aspect ratio: major over minor axis of the fitted ellipse",
        whole: false,
        value: |r| r.shape.aspect_ratio,
    },
    Column {
        name: "Round",
        title: "Roundness: 4·area / (π·major axis²)",
        whole: false,
        value: |r| r.shape.roundness,
    },
    Column {
        name: "Solidity",
        title: "Area over the area of the convex hull",
        whole: false,
        value: |r| r.shape.solidity,
    },
    Column {
        name: "Contrast",
        title: "Mean minus the mean of the background pixels within 8 px of the bounding box",
        whole: false,
        value: |r| r.contrast,
    },
    Column {
        name: "Thickness",
        title: "Radius of the largest disc inside the object over the expected cell radius \
                (half the diameter): about 1 for a cell body, small for a fibre",
        whole: false,
        value: |r| r.body.thickness,
    },
    Column {
        name: "Elongation",
        title: "Major over minor axis of the fitted ellipse (1 = round)",
        whole: false,
        value: |r| r.body.elongation,
    },
    Column {
        name: "Blob",
        title: "Blob measure: ratio of the Hessian's eigenvalues at the cell scale at the centroid \
                (1 = a round blob, 0 = a ridge or an edge)",
        whole: false,
        value: |r| r.body.blob,
    },
    Column {
        name: "Brightness",
        title: "Mean minus the image's median, in robust spreads (1.4826 median absolute deviations)",
        whole: false,
        value: |r| r.body.brightness,
    },
    Column {
        name: "Ring",
        title: "Contrast to the ring around the object, in the image's robust spreads",
        whole: false,
        value: |r| r.body.ring,
    },
];

/// A row of the table: counted object `i`, or rejected object `i` (0-based, label order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Which {
    Kept(usize),
    Rejected(usize),
}

/// The measurements of a row, if the analysis has them all.
fn row(a: &Analysis, which: Which) -> Option<Row<'_>> {
    Some(match which {
        Which::Kept(i) => Row {
            stats: a.objects.get(i)?,
            shape: a.shapes.get(i)?,
            contrast: a.contrast.get(i).copied().unwrap_or(f64::NAN),
            body: a.bodies.get(i)?,
        },
        Which::Rejected(i) => Row {
            stats: a.rejected_objects.get(i)?,
            shape: a.rejected_shapes.get(i)?,
            contrast: a.rejected_contrast.get(i).copied().unwrap_or(f64::NAN),
            body: a.rejected_bodies.get(i)?,
        },
    })
}

/// The text of a value, with ImageJ's default 3 decimals for measured values.
fn cell(column: &Column, v: f64) -> String {
    match v {
        v if !v.is_finite() => "NaN".into(),
        v if column.whole => format!("{v:.0}"),
        v => format!("{v:.3}"),
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
        Reject::NotBlob => format!("blob {} < {}", short(r.body.blob), short(p.min_blob)),
        Reject::Dim => format!(
            "brightness {} < {}",
            short(r.body.brightness),
            short(p.min_brightness)
        ),
        Reject::LowRing => format!("ring {} < {}", short(r.body.ring), short(p.min_ring)),
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
    state.chosen.set(Some(label));
    state.view.update(|v| *v = v.centred_on(ob.x, ob.y, 1.0));
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
    state.chosen.set(None);
    state.view.update(|v| *v = v.centred_on(ob.x, ob.y, 1.0));
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
        let (c, asc) = sort.get();
        let column = COLUMNS.get(c).unwrap_or(&COLUMNS[0]);
        let mut order: Vec<Which> = (0..a.objects.len()).map(Which::Kept).collect();
        let with_rejected = show_rejected.get();
        if with_rejected {
            order.extend((0..a.rejected_objects.len()).map(Which::Rejected));
        }
        let value = |w: Which| row(a, w).map_or(f64::NAN, |r| (column.value)(&r));
        // By number: the counted objects, then the rejected ones.
        let kind = |w: Which| u8::from(c == 0 && matches!(w, Which::Rejected(_)));
        order.sort_by(|&x, &y| {
            let ord = kind(x)
                .cmp(&kind(y))
                .then_with(|| value(x).partial_cmp(&value(y)).unwrap_or(Ordering::Equal))
                .then_with(|| match (x, y) {
                    (Which::Kept(i), Which::Kept(j)) | (Which::Rejected(i), Which::Rejected(j)) => {
                        i.cmp(&j)
                    }
                    (Which::Kept(_), Which::Rejected(_)) => Ordering::Less,
                    (Which::Rejected(_), Which::Kept(_)) => Ordering::Greater,
                });
            if asc { ord } else { ord.reverse() }
        });
        let total = order.len();
        order.truncate(MAX_ROWS);
        let lines: Vec<Line> = order
            .into_iter()
            .filter_map(|w| {
                let r = row(a, w)?;
                let cells = COLUMNS.iter().map(|c| cell(c, (c.value)(&r))).collect();
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
            .selected
            .get()
            .and_then(|id| super::viewer::annotate::tally(state, id))
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
        let columns = COLUMNS
            .iter()
            .enumerate()
            .map(|(c, column)| {
                let aria = move || match sort.get() {
                    (s, true) if s == c => "ascending",
                    (s, false) if s == c => "descending",
                    _ => "none",
                };
                view! {
                    <th scope="col" aria-sort=aria title=column.title>
                        <button type="button" class="sort" data-testid=format!("sort-{c}")
                            on:click=move |_| sort.update(|s| *s = if s.0 == c { (c, !s.1) } else { (c, true) })>
                            {column.name}
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
