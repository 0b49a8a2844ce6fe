//! Manual corrections (Cell Counter markers, removed objects) and regions of interest of each
//! image, the clicks of the viewer's tools, and their panels.

use crate::app::state::{AppState, Tool, use_app_state};
use crate::count::{
    cellcounter::{Action, Corrections, Marker, Tally},
    roi::{Roi, RoiShape},
};
use leptos::prelude::*;

/// How close (in screen pixels) a click must be to a marker to hit it, or to a polygon's first
/// vertex to close it.
const HIT_PX: f64 = 8.0;

/// The corrections tally of image `id` against its latest analysis.
pub fn tally(state: AppState, id: u64) -> Option<Tally> {
    let outcome = state.counting.outcomes.with(|o| o.get(&id).cloned())?;
    let a = &outcome.analysis;
    state.annotations.corrections.with(|c| {
        let c = c.get(&id)?;
        (a.labels.len() == a.width as usize * a.height as usize)
            .then(|| c.tally(&a.labels, a.width, a.height, a.count()))
    })
}

/// Per label (index = label − 1), whether a correction removed it.
pub fn removed_flags(state: AppState, id: u64) -> Vec<bool> {
    let Some(t) = tally(state, id) else {
        return Vec::new();
    };
    let mut flags = vec![false; t.automatic];
    for l in t.removed_labels {
        if let Some(f) = flags.get_mut(l as usize - 1) {
            *f = true;
        }
    }
    flags
}

/// The markers of image `id`.
pub fn markers(state: AppState, id: u64) -> Vec<Marker> {
    state
        .annotations
        .corrections
        .with(|c| c.get(&id).map(|c| c.markers().to_vec()))
        .unwrap_or_default()
}

/// The regions of image `id`.
pub fn rois(state: AppState, id: u64) -> Vec<Roi> {
    state
        .annotations
        .rois
        .with(|r| r.get(&id).cloned())
        .unwrap_or_default()
}

/// The vertices of a region, for drawing.
pub fn points(roi: &Roi) -> Vec<(f64, f64)> {
    match &roi.shape {
        RoiShape::Rect { x, y, w, h } => vec![(*x, *y), (x + w, *y), (x + w, y + h), (*x, y + h)],
        RoiShape::Polygon(p) => p.clone(),
    }
}

/// Applies `action` to the selected image's corrections.
fn apply(state: AppState, action: Action) {
    let Some(id) = state.images.selected.get_untracked() else {
        return;
    };
    state.annotations.corrections.update(|c| {
        c.entry(id).or_default().apply(action);
    });
}

/// Undoes the selected image's last correction.
pub fn undo(state: AppState) {
    if let Some(id) = state.images.selected.get_untracked() {
        state.annotations.corrections.update(|c| {
            if let Some(c) = c.get_mut(&id) {
                c.undo();
            }
        });
    }
}

/// Redoes the selected image's last undone correction.
pub fn redo(state: AppState) {
    if let Some(id) = state.images.selected.get_untracked() {
        state.annotations.corrections.update(|c| {
            if let Some(c) = c.get_mut(&id) {
                c.redo();
            }
        });
    }
}

/// Whether the selected image has a correction to undo.
pub fn can_undo(state: AppState) -> bool {
    state.images.selected.get().is_some_and(|id| {
        state
            .annotations
            .corrections
            .with(|c| c.get(&id).is_some_and(Corrections::can_undo))
    })
}

/// Whether the selected image has a correction to redo.
pub fn can_redo(state: AppState) -> bool {
    state.images.selected.get().is_some_and(|id| {
        state
            .annotations
            .corrections
            .with(|c| c.get(&id).is_some_and(Corrections::can_redo))
    })
}

/// A click (not a drag) at image point `(x, y)` with the current tool.
pub fn click(state: AppState, x: f64, y: f64) {
    let Some(id) = state.images.selected.get_untracked() else {
        return;
    };
    let Some((w, h)) = state.selected_size() else {
        return;
    };
    let zoom = state.viewer.view.get_untracked().zoom;
    let inside = x >= 0.0 && y >= 0.0 && x < f64::from(w) && y < f64::from(h);
    match state.viewer.tool.get_untracked() {
        Tool::Inspect | Tool::Rectangle => {}
        Tool::Add if inside => {
            let type_id = state.annotations.marker_type.get_untracked();
            apply(
                state,
                Action::AddMarker(Marker {
                    x: x as u32,
                    y: y as u32,
                    type_id,
                }),
            );
        }
        Tool::Remove if inside => {
            let hit = state.annotations.corrections.with_untracked(|c| {
                c.get(&id)
                    .and_then(|c| c.marker_near(x, y, HIT_PX / zoom.max(1e-6)))
            });
            if let Some(i) = hit {
                apply(state, Action::RemoveMarker(i));
                return;
            }
            let Some(outcome) = state.counting.outcome_of(id) else {
                return;
            };
            let a = &outcome.analysis;
            if a.labels.len() != w as usize * h as usize {
                return;
            }
            let (px, py) = (x as u32, y as u32);
            let label = a.labels[py as usize * w as usize + px as usize];
            if label == 0 {
                return;
            }
            let restore = state.annotations.corrections.with_untracked(|c| {
                c.get(&id)
                    .and_then(|c| c.restore_at(&a.labels, w, h, px, py))
            });
            apply(
                state,
                restore.unwrap_or(Action::RemoveObject { x: px, y: py }),
            );
        }
        Tool::Add | Tool::Remove => {}
        Tool::Polygon => {
            let (vw, vh) = state.viewer.viewport.get_untracked();
            let view = state.viewer.view.get_untracked();
            let closes = state.annotations.draft.with_untracked(|d| {
                d.len() >= 3
                    && d.first().is_some_and(|&(fx, fy)| {
                        let (a, b) = view.to_screen(fx, fy, vw, vh);
                        let (c, e) = view.to_screen(x, y, vw, vh);
                        (a - c).hypot(b - e) <= HIT_PX
                    })
            });
            if closes {
                close_polygon(state);
            } else {
                state.annotations.draft.update(|d| d.push((x, y)));
            }
        }
    }
}

/// Adds a region to the selected image with the next free name.
fn add_roi(state: AppState, shape: RoiShape) {
    let Some(id) = state.images.selected.get_untracked() else {
        return;
    };
    state.annotations.rois.update(|r| {
        let list = r.entry(id).or_default();
        let mut n = list.len() + 1;
        while list.iter().any(|roi| roi.name == format!("ROI {n}")) {
            n += 1;
        }
        list.push(Roi {
            name: format!("ROI {n}"),
            shape,
        });
    });
}

/// Closes the polygon being drawn into a region (at least 3 distinct vertices; the repeated
/// vertex of a double click counts once).
pub fn close_polygon(state: AppState) {
    let mut draft = state.annotations.draft.get_untracked();
    draft.dedup_by(|a, b| (a.0 - b.0).hypot(a.1 - b.1) < 1e-6);
    state.annotations.draft.set(Vec::new());
    if draft.len() >= 3 {
        add_roi(state, RoiShape::Polygon(draft));
    }
}

/// Starts a rectangle at screen point `(sx, sy)`.
pub fn rect_start(state: AppState, sx: f64, sy: f64) {
    let (vw, vh) = state.viewer.viewport.get_untracked();
    let p = state.viewer.view.get_untracked().to_image(sx, sy, vw, vh);
    state.annotations.draft.set(vec![p]);
}

/// Drags the rectangle's opposite corner to screen point `(sx, sy)`.
pub fn rect_drag(state: AppState, sx: f64, sy: f64) {
    let (vw, vh) = state.viewer.viewport.get_untracked();
    let (x, y) = state.viewer.view.get_untracked().to_image(sx, sy, vw, vh);
    state.annotations.draft.update(|d| {
        if let Some(&(x0, y0)) = d.first() {
            *d = vec![(x0, y0), (x, y0), (x, y), (x0, y)];
        }
    });
}

/// Ends the rectangle: a region if it is at least one pixel wide and high (whole pixels, clipped
/// to the image).
pub fn rect_end(state: AppState) {
    let draft = state.annotations.draft.get_untracked();
    state.annotations.draft.set(Vec::new());
    let (Some(&(x0, y0)), Some(&(x1, y1)), Some((w, h))) =
        (draft.first(), draft.get(2), state.selected_size())
    else {
        return;
    };
    let (w, h) = (f64::from(w), f64::from(h));
    let (l, r) = (
        x0.min(x1).round().clamp(0.0, w),
        x0.max(x1).round().clamp(0.0, w),
    );
    let (t, b) = (
        y0.min(y1).round().clamp(0.0, h),
        y0.max(y1).round().clamp(0.0, h),
    );
    if r - l >= 1.0 && b - t >= 1.0 {
        add_roi(
            state,
            RoiShape::Rect {
                x: l,
                y: t,
                w: r - l,
                h: b - t,
            },
        );
    }
}

/// The marker type of the add tool, with renaming and a button for a new type.
#[component]
pub fn MarkerTypePicker() -> impl IntoView {
    let state = use_app_state();
    let types = move || {
        let id = state.images.selected.get()?;
        Some(state.annotations.corrections.with(|c| {
            c.get(&id)
                .map(|c| c.types().to_vec())
                .unwrap_or_else(|| Corrections::new().types().to_vec())
        }))
    };
    let current_name = move || {
        let t = state.annotations.marker_type.get();
        types()
            .and_then(|ts| ts.into_iter().find(|m| m.id == t).map(|m| m.name))
            .unwrap_or_default()
    };
    view! {
        <div class="group" role="group" aria-label="Marker type">
            <label for="marker-type" class="small">"Marker"</label>
            <select id="marker-type" data-testid="marker-type"
                on:change=move |e| {
                    if let Ok(t) = event_target_value(&e).parse::<u32>() {
                        state.annotations.marker_type.set(t);
                    }
                }>
                {move || types().unwrap_or_default().into_iter().map(|t| {
                    let id = t.id;
                    view! {
                        <option value=id.to_string() prop:selected=move || state.annotations.marker_type.get() == id>
                            {format!("{}: {}", t.id, t.name)}
                        </option>
                    }
                }).collect_view()}
            </select>
            <label for="marker-name" class="sr-only">"Marker type name"</label>
            <input id="marker-name" class="short-text" type="text" maxlength="40" data-testid="marker-name"
                prop:value=current_name
                on:change=move |e| {
                    let name = event_target_value(&e).trim().to_string();
                    if !name.is_empty() {
                        let id = state.annotations.marker_type.get_untracked();
                        apply(state, Action::RenameType { id, name });
                    }
                } />
            <button class="tb" type="button" data-testid="marker-add-type" title="New marker type"
                on:click=move |_| {
                    let n = types().map_or(3, |t| t.len() + 1);
                    apply(state, Action::AddType { name: format!("Type {n}") });
                    if let Some(last) = types().and_then(|t| t.last().map(|m| m.id)) {
                        state.annotations.marker_type.set(last);
                    }
                }>"+ type"</button>
        </div>
    }
}
