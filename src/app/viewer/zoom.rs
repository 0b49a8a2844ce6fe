//! Zoom and pan: fitting the image, the zoom steps, the wheel, and the pointer gestures (a drag
//! pans or draws a rectangle, two fingers pinch, a click goes to the current tool).

use super::{annotate, readout::read_at};
use crate::{
    app::state::{AppState, Tool},
    view::viewport::{View, ZOOM_STEP},
};
use leptos::prelude::*;

/// Shortcut steps of the zoom keys and buttons.
pub const STEP: f64 = ZOOM_STEP;

/// Fits the selected image in the viewport.
pub fn fit(state: AppState) {
    if let Some((w, h)) = state.selected_size() {
        let (vw, vh) = state.viewer.viewport.get_untracked();
        state.viewer.view.set(View::fit(w, h, vw, vh));
    }
}

/// Zooms by `factor` around the viewport's centre.
pub fn zoom_by(state: AppState, factor: f64) {
    let (vw, vh) = state.viewer.viewport.get_untracked();
    state
        .viewer
        .view
        .update(|v| *v = v.zoom_at(factor, vw / 2.0, vh / 2.0, vw, vh));
}

/// The viewport now measures `size` CSS pixels: a fitted view stays fitted (a panel opened), and
/// the first size fits the image.
pub fn resized(state: AppState, size: (f64, f64)) {
    let before = state.viewer.viewport.get_untracked();
    if size == before {
        return;
    }
    let fitted = state.selected_size().is_some_and(|(w, h)| {
        let f = View::fit(w, h, before.0, before.1);
        let v = state.viewer.view.get_untracked();
        (v.zoom - f.zoom).abs() < 1e-9 && v.cx == f.cx && v.cy == f.cy
    });
    let first = before.0 < 1.0 || before.1 < 1.0;
    state.viewer.viewport.set(size);
    if first || fitted {
        fit(state);
    }
}

/// Screen coordinates of a mouse event relative to the element's top-left.
pub fn local(e: &web_sys::MouseEvent, el: &web_sys::Element) -> (f64, f64) {
    let r = el.get_bounding_client_rect();
    (
        f64::from(e.client_x()) - r.left(),
        f64::from(e.client_y()) - r.top(),
    )
}

/// The wheel at screen point `(sx, sy)`: zooms around the pointer; two fingers moving sideways
/// on a touchpad pan.
pub fn wheel(state: AppState, e: &web_sys::WheelEvent, (sx, sy): (f64, f64)) {
    let (vw, vh) = state.viewer.viewport.get_untracked();
    // Pixel deltas from touchpads are small and many; line deltas are ~3 lines a notch.
    let dy = match e.delta_mode() {
        1 => e.delta_y() * 33.0,
        2 => e.delta_y() * vh,
        _ => e.delta_y(),
    };
    // Two fingers moving sideways on a touchpad: pan (a mouse wheel has no horizontal delta).
    if !e.ctrl_key() && e.delta_x() != 0.0 && e.delta_mode() == 0 {
        state
            .viewer
            .view
            .update(|v| *v = v.pan(-e.delta_x(), -e.delta_y()));
        read_at(state, sx, sy);
        return;
    }
    // A touchpad pinch arrives as ctrl+wheel with small deltas: zoom faster per pixel.
    let rate = if e.ctrl_key() { 0.01 } else { 0.0025 };
    let factor = (-dy * rate).exp();
    state
        .viewer
        .view
        .update(|v| *v = v.zoom_at(factor, sx, sy, vw, vh));
    read_at(state, sx, sy);
}

/// Where the pointers are and what a drag is doing.
#[derive(Default)]
pub struct Gesture {
    /// Active pointers: id and screen position.
    pointers: Vec<(i32, f64, f64)>,
    /// Where the primary pointer went down, in screen coordinates.
    down: Option<(f64, f64)>,
    /// Moved far enough to be a drag rather than a click.
    dragged: bool,
    /// The distance between two pointers at the last pinch step.
    pinch: Option<f64>,
}

impl Gesture {
    /// Pointer `id` went down at screen point `(sx, sy)`.
    pub fn down(&mut self, state: AppState, id: i32, (sx, sy): (f64, f64)) {
        self.pointers.retain(|p| p.0 != id);
        self.pointers.push((id, sx, sy));
        if self.pointers.len() == 1 {
            self.down = Some((sx, sy));
            self.dragged = false;
            self.pinch = None;
            if state.viewer.tool.get_untracked() == Tool::Rectangle {
                annotate::rect_start(state, sx, sy);
            }
        } else {
            // A second finger: pinch, not a click or a region.
            self.dragged = true;
            if let [a, b, ..] = self.pointers[..] {
                self.pinch = Some((a.1 - b.1).hypot(a.2 - b.2));
            }
            state.annotations.draft.update(|d| {
                if state.viewer.tool.get_untracked() == Tool::Rectangle {
                    d.clear();
                }
            });
        }
    }

    /// Pointer `id` moved to screen point `(sx, sy)`: pinch, pan or drag the rectangle, and read
    /// what is under it.
    pub fn moved(&mut self, state: AppState, id: i32, (sx, sy): (f64, f64)) {
        let Some(i) = self.pointers.iter().position(|p| p.0 == id) else {
            read_at(state, sx, sy);
            return;
        };
        let (_, px, py) = self.pointers[i];
        self.pointers[i] = (id, sx, sy);
        let (vw, vh) = state.viewer.viewport.get_untracked();
        if self.pointers.len() >= 2 {
            let (a, b) = (self.pointers[0], self.pointers[1]);
            let d = (a.1 - b.1).hypot(a.2 - b.2);
            let (mx, my) = ((a.1 + b.1) / 2.0, (a.2 + b.2) / 2.0);
            if let Some(prev) = self.pinch.filter(|&p| p > 0.0) {
                state.viewer.view.update(|v| {
                    *v = v
                        .zoom_at(d / prev, mx, my, vw, vh)
                        .pan((sx - px) / 2.0, (sy - py) / 2.0)
                });
            }
            self.pinch = Some(d);
            return;
        }
        if let Some((dx0, dy0)) = self.down
            && !self.dragged
            && (sx - dx0).hypot(sy - dy0) > 4.0
        {
            self.dragged = true;
        }
        if self.dragged {
            if state.viewer.tool.get_untracked() == Tool::Rectangle {
                annotate::rect_drag(state, sx, sy);
            } else {
                state.viewer.view.update(|v| *v = v.pan(sx - px, sy - py));
            }
        }
        read_at(state, sx, sy);
    }

    /// Pointer `id` went up at screen point `(sx, sy)`: the end of a rectangle, or a click for
    /// the tool when the pointer did not drag.
    pub fn up(&mut self, state: AppState, id: i32, (sx, sy): (f64, f64)) {
        let was_single = self.pointers.len() == 1;
        self.pointers.retain(|p| p.0 != id);
        if !was_single {
            self.pinch = None;
            return;
        }
        let clicked = !self.dragged;
        self.down = None;
        let (vw, vh) = state.viewer.viewport.get_untracked();
        let (ix, iy) = state.viewer.view.get_untracked().to_image(sx, sy, vw, vh);
        match state.viewer.tool.get_untracked() {
            Tool::Rectangle => annotate::rect_end(state),
            _ if clicked => annotate::click(state, ix, iy),
            _ => {}
        }
    }

    /// Pointer `id` was cancelled (the browser took it over).
    pub fn cancel(&mut self, id: i32) {
        self.pointers.retain(|p| p.0 != id);
        self.down = None;
        self.pinch = None;
    }
}
