//! What is under the pointer: the pixel's raw values and the object there (or the filter that
//! removed it), read as the pointer moves and shown in the bar below the image.

use crate::{
    app::{
        objects_table::why_rejected,
        state::{AppState, Readout, use_app_state},
    },
    view::viewport::describe_values,
};
use leptos::prelude::*;

/// Updates the pointer readout and the hovered object for screen point `(sx, sy)`.
pub fn read_at(state: AppState, sx: f64, sy: f64) {
    let Some(id) = state.images.selected.get_untracked() else {
        return;
    };
    let (vw, vh) = state.viewer.viewport.get_untracked();
    let view = state.viewer.view.get_untracked();
    let found = state.images.slots.with_value(|s| {
        let slot = s.get(&id)?;
        let (w, h) = (slot.image.width(), slot.image.height());
        let (x, y) = view.pixel_at(sx, sy, vw, vh, w, h)?;
        Some((x, y, slot.image.pixel(x, y), w))
    });
    let Some((x, y, values, w)) = found else {
        state.viewer.readout.set(None);
        state.viewer.hovered.set(None);
        return;
    };
    let (object, rejected) = state
        .counting
        .outcomes
        .with_untracked(|o| {
            o.get(&id).map(|o| {
                let a = &o.analysis;
                let object = a
                    .labels
                    .get(y as usize * w as usize + x as usize)
                    .copied()
                    .filter(|&l| l != 0);
                let rejected = object
                    .is_none()
                    .then(|| a.rejected.label_at(x, y))
                    .flatten();
                (object, rejected)
            })
        })
        .unwrap_or_default();
    state.viewer.readout.set(Some(Readout {
        x,
        y,
        values,
        object,
        rejected,
    }));
    if state.viewer.hovered.get_untracked() != object {
        state.viewer.hovered.set(object);
    }
}

/// x, y, the raw values and the object under the pointer.
#[component]
pub fn ReadoutBar() -> impl IntoView {
    let state = use_app_state();
    let text = move || {
        let Some(r) = state.viewer.readout.get() else {
            return "Move the pointer over the image to read its pixels.".to_string();
        };
        let described = describe_values(&r.values);
        let object = r
            .object
            .map_or_else(|| "no object".to_string(), |l| format!("object {l}"));
        format!("x={}, y={}, {described}, {object}", r.x, r.y)
    };
    // Over an object a filter removed: which filter, and why.
    let rejected = move || {
        let label = state
            .viewer
            .readout
            .with(|r| r.as_ref().and_then(|r| r.rejected))?;
        let o = state.selected_outcome()?;
        let why = why_rejected(&o.analysis, (label as usize).checked_sub(1)?, &o.key.0)?;
        Some(format!("rejected object {label} · {why}"))
    };
    view! {
        <div class="readout">
            <span data-testid="readout">{text}</span>
            {move || rejected().map(|t| {
                let title = t.clone();
                view! {
                    <span class="readout-rejected" data-testid="readout-rejected" title=title>" · "{t}</span>
                }
            })}
            {move || {
                let n = state.viewer.numbers_hidden.get();
                (n > 0 && state.viewer.overlay.with(|o| o.numbers.on)).then(|| view! {
                    <span class="readout-hidden" data-testid="numbers-hidden">
                        {format!(" · {n} numbers left out where they would overlap: zoom in to see them")}
                    </span>
                })
            }}
        </div>
    }
}
