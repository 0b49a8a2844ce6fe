//! The viewer: the selected image with its image-space layers on a canvas at the image's own
//! resolution, shown through a CSS transform (zoom and pan without redrawing, crisp pixels), and
//! a screen-space canvas above it for numbers, centroids, markers, regions and highlights.

use super::{
    annotate,
    browser::context_2d,
    state::{AppState, Tool, use_app_state},
};
use crate::view::{
    render::{Layers, ScoreOverlay, composite_layers},
    viewport::{View, ZOOM_STEP},
};
use leptos::{ev, html, prelude::*};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{Clamped, JsCast, prelude::*};

/// Draws `rgba` (width x height) on the canvas, sizing the canvas to the image.
fn draw(canvas: &web_sys::HtmlCanvasElement, rgba: &[u8], width: u32, height: u32) {
    if canvas.width() != width || canvas.height() != height {
        canvas.set_width(width);
        canvas.set_height(height);
    }
    let Some(ctx) = context_2d(canvas) else {
        return;
    };
    if let Ok(data) =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)
    {
        let _ = ctx.put_image_data(&data, 0.0, 0.0);
    }
}

/// The width and height of the selected image.
pub fn selected_size(state: AppState) -> Option<(u32, u32)> {
    let id = state.selected.get_untracked()?;
    state
        .slots
        .with_value(|s| s.get(&id).map(|s| (s.image.width(), s.image.height())))
}

/// Fits the selected image in the viewport.
pub fn fit(state: AppState) {
    if let Some((w, h)) = selected_size(state) {
        let (vw, vh) = state.viewport.get_untracked();
        state.view.set(View::fit(w, h, vw, vh));
    }
}

/// Zooms by `factor` around the viewport's centre.
pub fn zoom_by(state: AppState, factor: f64) {
    let (vw, vh) = state.viewport.get_untracked();
    state
        .view
        .update(|v| *v = v.zoom_at(factor, vw / 2.0, vh / 2.0, vw, vh));
}

/// Image-space layers, redrawn only when they change (not on zoom, pan or hover).
fn draw_image(state: AppState, canvas: &web_sys::HtmlCanvasElement) {
    let Some(id) = state.selected.get() else {
        return;
    };
    let overlay = state.overlay.get();
    let display = state.display_of(id);
    let outcome = state.outcomes.with(|o| o.get(&id).cloned());
    let removed = annotate::removed_flags(state, id);
    let Some((base, truth, w, h)) = state.slots.with_value(|s| {
        s.get(&id).map(|s| {
            (
                annotate::display_base(s, &display),
                s.truth.clone(),
                s.image.width(),
                s.image.height(),
            )
        })
    }) else {
        return;
    };
    let Some(o) = outcome.filter(|o| o.analysis.labels.len() == w as usize * h as usize) else {
        draw(canvas, &base, w, h);
        return;
    };
    let score = o.score.as_deref().filter(|_| overlay.score.on);
    let matched: Vec<bool> = score
        .map(|s| s.matches.iter().map(Option::is_some).collect())
        .unwrap_or_default();
    let missed: Vec<(u32, u32, u32)> = score
        .map(|s| {
            s.missed
                .iter()
                .filter_map(|&l| s.truth_objects.get(l as usize - 1))
                .map(|t| (t.cx, t.cy, (t.x1 - t.x0).max(t.y1 - t.y0) / 2 + 2))
                .collect()
        })
        .unwrap_or_default();
    let layers = Layers {
        fill: overlay.fill.paint(),
        outline: overlay.outline.paint(),
        score: score.map(|_| {
            (
                ScoreOverlay {
                    matched: &matched,
                    missed: &missed,
                },
                overlay.score.opacity,
            )
        }),
        truth: truth
            .as_deref()
            .zip(overlay.truth.paint())
            .filter(|(t, _)| (t.width(), t.height()) == (w, h)),
        removed: &removed,
        rejected: overlay.rejected.paint().map(|p| (&o.analysis.rejected, p)),
    };
    let rgba = composite_layers(&base, &o.analysis.labels, w, h, &layers);
    draw(canvas, &rgba, w, h);
}

/// The colour of marker type `id` (1-based), as Cell Counter cycles its colours.
pub fn marker_colour(type_id: u32) -> &'static str {
    const COLOURS: [&str; 8] = [
        "#00e5ff", "#ffea00", "#ff3df2", "#76ff03", "#ff9100", "#ffffff", "#2979ff", "#ff1744",
    ];
    COLOURS[(type_id.saturating_sub(1) as usize) % COLOURS.len()]
}

/// Screen-space layers: numbers, centroids, markers, regions, the draft region and highlights.
fn draw_screen(state: AppState, canvas: &web_sys::HtmlCanvasElement) {
    let (vw, vh) = state.viewport.get();
    let view = state.view.get();
    let overlay = state.overlay.get();
    let hovered = state.hovered.get();
    let chosen = state.chosen.get();
    let outcome = state.selected_outcome();
    let id = state.selected.get();
    let markers = id
        .map(|id| annotate::markers(state, id))
        .unwrap_or_default();
    let rois = id.map(|id| annotate::rois(state, id)).unwrap_or_default();
    let removed = id
        .map(|id| annotate::removed_flags(state, id))
        .unwrap_or_default();
    let draft = state.draft.get();
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let (cw, ch) = ((vw * dpr).round() as u32, (vh * dpr).round() as u32);
    if canvas.width() != cw || canvas.height() != ch {
        canvas.set_width(cw);
        canvas.set_height(ch);
    }
    let Some(ctx) = context_2d(canvas) else {
        return;
    };
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, vw, vh);
    let Some(o) = outcome else {
        return;
    };
    let screen = |x: f64, y: f64| view.to_screen(x, y, vw, vh);
    let visible =
        |(sx, sy): (f64, f64)| sx > -40.0 && sy > -40.0 && sx < vw + 40.0 && sy < vh + 40.0;
    let objects = &o.analysis.objects;
    if overlay.centroids.on {
        ctx.set_stroke_style_str(&overlay.centroids.css());
        ctx.set_line_width(1.5);
        ctx.begin_path();
        for ob in objects {
            let (sx, sy) = screen(ob.x, ob.y);
            if visible((sx, sy)) {
                ctx.move_to(sx - 4.0, sy);
                ctx.line_to(sx + 4.0, sy);
                ctx.move_to(sx, sy - 4.0);
                ctx.line_to(sx, sy + 4.0);
            }
        }
        ctx.stroke();
    }
    if overlay.numbers.on {
        ctx.set_font("600 12px system-ui, sans-serif");
        ctx.set_text_align("center");
        ctx.set_text_baseline("middle");
        ctx.set_line_width(3.0);
        ctx.set_stroke_style_str(&format!("rgba(0, 0, 0, {})", overlay.numbers.opacity));
        ctx.set_fill_style_str(&overlay.numbers.css());
        for ob in objects {
            let (sx, sy) = screen(ob.x, ob.y);
            if visible((sx, sy)) {
                let text = ob.label.to_string();
                let _ = ctx.stroke_text(&text, sx, sy);
                let _ = ctx.fill_text(&text, sx, sy);
            }
        }
    }
    let box_of = |label: u32| {
        objects.get((label as usize).wrapping_sub(1)).map(|ob| {
            let (x0, y0) = screen(f64::from(ob.bx), f64::from(ob.by));
            let (x1, y1) = screen(f64::from(ob.bx + ob.width), f64::from(ob.by + ob.height));
            (x0 - 2.0, y0 - 2.0, x1 - x0 + 4.0, y1 - y0 + 4.0)
        })
    };
    if let Some((x, y, w, h)) = hovered.and_then(box_of) {
        ctx.set_stroke_style_str("rgba(255, 255, 255, 0.9)");
        ctx.set_line_width(1.5);
        ctx.stroke_rect(x, y, w, h);
    }
    if let Some((x, y, w, h)) = chosen.and_then(box_of) {
        ctx.set_stroke_style_str("#ffd84d");
        ctx.set_line_width(3.0);
        ctx.stroke_rect(x, y, w, h);
    }
    ctx.set_line_width(2.0);
    ctx.set_font("600 12px system-ui, sans-serif");
    ctx.set_text_align("left");
    ctx.set_text_baseline("bottom");
    for roi in &rois {
        let pts = annotate::points(roi);
        let Some(&(x0, y0)) = pts.first() else {
            continue;
        };
        ctx.set_stroke_style_str("#ffd84d");
        ctx.begin_path();
        let (sx, sy) = screen(x0, y0);
        ctx.move_to(sx, sy);
        for &(x, y) in &pts[1..] {
            let (sx, sy) = screen(x, y);
            ctx.line_to(sx, sy);
        }
        ctx.close_path();
        ctx.stroke();
        ctx.set_fill_style_str("#ffd84d");
        let _ = ctx.fill_text(&roi.name, sx + 2.0, sy - 3.0);
    }
    if !draft.is_empty() {
        ctx.set_stroke_style_str("#ffd84d");
        let _ = ctx.set_line_dash(&js_sys::Array::of2(&6.0.into(), &4.0.into()));
        ctx.begin_path();
        for (i, &(x, y)) in draft.iter().enumerate() {
            let (sx, sy) = screen(x, y);
            if i == 0 {
                ctx.move_to(sx, sy);
            } else {
                ctx.line_to(sx, sy);
            }
        }
        ctx.stroke();
        let _ = ctx.set_line_dash(&js_sys::Array::new());
    }
    ctx.set_stroke_style_str("#ff5252");
    ctx.set_line_width(2.5);
    ctx.begin_path();
    for (ob, _) in objects.iter().zip(&removed).filter(|(_, r)| **r) {
        let (sx, sy) = screen(ob.x, ob.y);
        if visible((sx, sy)) {
            ctx.move_to(sx - 5.0, sy - 5.0);
            ctx.line_to(sx + 5.0, sy + 5.0);
            ctx.move_to(sx + 5.0, sy - 5.0);
            ctx.line_to(sx - 5.0, sy + 5.0);
        }
    }
    ctx.stroke();
    let r = (view.zoom * 3.0).clamp(3.0, 8.0);
    for m in &markers {
        let (sx, sy) = screen(f64::from(m.x) + 0.5, f64::from(m.y) + 0.5);
        if !visible((sx, sy)) {
            continue;
        }
        ctx.begin_path();
        let _ = ctx.arc(sx, sy, r, 0.0, std::f64::consts::TAU);
        ctx.set_fill_style_str(marker_colour(m.type_id));
        ctx.fill();
        ctx.set_stroke_style_str("#000");
        ctx.set_line_width(1.0);
        ctx.stroke();
    }
}

/// Where the pointers are and what a drag is doing.
#[derive(Default)]
struct Gesture {
    /// Active pointers: id and screen position.
    pointers: Vec<(i32, f64, f64)>,
    /// Where the primary pointer went down, in screen coordinates.
    down: Option<(f64, f64)>,
    /// Moved far enough to be a drag rather than a click.
    dragged: bool,
    /// The distance between two pointers at the last pinch step.
    pinch: Option<f64>,
}

/// Screen coordinates of a mouse event relative to the element's top-left.
fn local(e: &web_sys::MouseEvent, el: &web_sys::Element) -> (f64, f64) {
    let r = el.get_bounding_client_rect();
    (
        f64::from(e.client_x()) - r.left(),
        f64::from(e.client_y()) - r.top(),
    )
}

/// Updates the pointer readout and the hovered object for screen point `(sx, sy)`.
fn read_at(state: AppState, sx: f64, sy: f64) {
    let Some(id) = state.selected.get_untracked() else {
        return;
    };
    let (vw, vh) = state.viewport.get_untracked();
    let view = state.view.get_untracked();
    let found = state.slots.with_value(|s| {
        let slot = s.get(&id)?;
        let (w, h) = (slot.image.width(), slot.image.height());
        let (x, y) = view.pixel_at(sx, sy, vw, vh, w, h)?;
        Some((x, y, slot.image.pixel(x, y), w))
    });
    let Some((x, y, values, w)) = found else {
        state.readout.set(None);
        state.hovered.set(None);
        return;
    };
    let (object, rejected) = state
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
    state.readout.set(Some(super::state::Readout {
        x,
        y,
        values,
        object,
        rejected,
    }));
    if state.hovered.get_untracked() != object {
        state.hovered.set(object);
    }
}

/// The selected image, or an explanation of what to do when there is none.
#[component]
pub fn Viewer() -> impl IntoView {
    let state = use_app_state();
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let screen_ref = NodeRef::<html::Canvas>::new();
    let viewport_ref = NodeRef::<html::Div>::new();
    let has_image = move || state.selected.get().is_some();

    Effect::new(move |_| {
        if let Some(canvas) = canvas_ref.get() {
            draw_image(state, &canvas);
        }
    });
    Effect::new(move |_| {
        if let Some(canvas) = screen_ref.get() {
            draw_screen(state, &canvas);
        }
    });
    // A new image starts fitted.
    Effect::new(move |prev: Option<Option<u64>>| {
        let now = state.selected.get();
        if prev != Some(now) {
            state.chosen.set(None);
            state.hovered.set(None);
            fit(state);
        }
        now
    });
    // The viewport's size, kept current as panels open and close or the window resizes.
    Effect::new(move |_| {
        let Some(el) = viewport_ref.get() else {
            return;
        };
        let measure = {
            let el = el.clone();
            move || {
                let r = el.get_bounding_client_rect();
                let size = (r.width(), r.height());
                let before = state.viewport.get_untracked();
                if size != before {
                    // A fitted view stays fitted when the viewport changes (a panel opens).
                    let fitted = selected_size(state).is_some_and(|(w, h)| {
                        let f = View::fit(w, h, before.0, before.1);
                        let v = state.view.get_untracked();
                        (v.zoom - f.zoom).abs() < 1e-9 && v.cx == f.cx && v.cy == f.cy
                    });
                    let first = before.0 < 1.0 || before.1 < 1.0;
                    state.viewport.set(size);
                    if first || fitted {
                        fit(state);
                    }
                }
            }
        };
        measure();
        let cb = Closure::<dyn FnMut(js_sys::Array)>::new(move |_entries| measure());
        if let Ok(observer) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
            observer.observe(&el);
        }
        cb.forget();
    });
    // The wheel zooms around the pointer; a non-passive listener, so the page does not scroll.
    Effect::new(move |_| {
        let Some(el) = viewport_ref.get() else {
            return;
        };
        let target: web_sys::Element = el.clone().into();
        let cb = Closure::<dyn FnMut(web_sys::WheelEvent)>::new(move |e: web_sys::WheelEvent| {
            if state.selected.get_untracked().is_none() {
                return;
            }
            e.prevent_default();
            let (sx, sy) = local(&e, &target);
            let (vw, vh) = state.viewport.get_untracked();
            // Pixel deltas from touchpads are small and many; line deltas are ~3 lines a notch.
            let dy = match e.delta_mode() {
                1 => e.delta_y() * 33.0,
                2 => e.delta_y() * vh,
                _ => e.delta_y(),
            };
            // Two fingers moving sideways on a touchpad: pan (a mouse wheel has no horizontal delta).
            if !e.ctrl_key() && e.delta_x() != 0.0 && e.delta_mode() == 0 {
                state
                    .view
                    .update(|v| *v = v.pan(-e.delta_x(), -e.delta_y()));
                read_at(state, sx, sy);
                return;
            }
            // A touchpad pinch arrives as ctrl+wheel with small deltas: zoom faster per pixel.
            let rate = if e.ctrl_key() { 0.01 } else { 0.0025 };
            let factor = (-dy * rate).exp();
            state
                .view
                .update(|v| *v = v.zoom_at(factor, sx, sy, vw, vh));
            read_at(state, sx, sy);
        });
        let opts = web_sys::AddEventListenerOptions::new();
        opts.set_passive(false);
        let _ = el.add_event_listener_with_callback_and_add_event_listener_options(
            "wheel",
            cb.as_ref().unchecked_ref(),
            &opts,
        );
        cb.forget();
    });

    let transform = move || {
        let (vw, vh) = state.viewport.get();
        state.view.get().css_transform(vw, vh)
    };
    let gesture = Rc::new(RefCell::new(Gesture::default()));
    let on_down = {
        let gesture = gesture.clone();
        move |e: ev::PointerEvent| {
            let Some(el) = viewport_ref.get_untracked() else {
                return;
            };
            if e.button() != 0 && e.pointer_type() == "mouse" && e.button() != 1 {
                return;
            }
            let _ = el.set_pointer_capture(e.pointer_id());
            let _ = el.focus();
            let (sx, sy) = local(&e, &el);
            let mut g = gesture.borrow_mut();
            g.pointers.retain(|p| p.0 != e.pointer_id());
            g.pointers.push((e.pointer_id(), sx, sy));
            if g.pointers.len() == 1 {
                g.down = Some((sx, sy));
                g.dragged = false;
                g.pinch = None;
                if state.tool.get_untracked() == Tool::Rectangle {
                    annotate::rect_start(state, sx, sy);
                }
            } else {
                // A second finger: pinch, not a click or a region.
                g.dragged = true;
                if let [a, b, ..] = g.pointers[..] {
                    g.pinch = Some((a.1 - b.1).hypot(a.2 - b.2));
                }
                state.draft.update(|d| {
                    if state.tool.get_untracked() == Tool::Rectangle {
                        d.clear();
                    }
                });
            }
        }
    };
    let on_move = {
        let gesture = gesture.clone();
        move |e: ev::PointerEvent| {
            let Some(el) = viewport_ref.get_untracked() else {
                return;
            };
            let (sx, sy) = local(&e, &el);
            let mut g = gesture.borrow_mut();
            let Some(i) = g.pointers.iter().position(|p| p.0 == e.pointer_id()) else {
                drop(g);
                read_at(state, sx, sy);
                return;
            };
            let (_, px, py) = g.pointers[i];
            g.pointers[i] = (e.pointer_id(), sx, sy);
            let (vw, vh) = state.viewport.get_untracked();
            if g.pointers.len() >= 2 {
                let (a, b) = (g.pointers[0], g.pointers[1]);
                let d = (a.1 - b.1).hypot(a.2 - b.2);
                let (mx, my) = ((a.1 + b.1) / 2.0, (a.2 + b.2) / 2.0);
                if let Some(prev) = g.pinch.filter(|&p| p > 0.0) {
                    state.view.update(|v| {
                        *v = v
                            .zoom_at(d / prev, mx, my, vw, vh)
                            .pan((sx - px) / 2.0, (sy - py) / 2.0)
                    });
                }
                g.pinch = Some(d);
                return;
            }
            if let Some((dx0, dy0)) = g.down
                && !g.dragged
                && (sx - dx0).hypot(sy - dy0) > 4.0
            {
                g.dragged = true;
            }
            if g.dragged {
                if state.tool.get_untracked() == Tool::Rectangle {
                    annotate::rect_drag(state, sx, sy);
                } else {
                    state.view.update(|v| *v = v.pan(sx - px, sy - py));
                }
            }
            drop(g);
            read_at(state, sx, sy);
        }
    };
    let on_up = {
        let gesture = gesture.clone();
        move |e: ev::PointerEvent| {
            let Some(el) = viewport_ref.get_untracked() else {
                return;
            };
            let (sx, sy) = local(&e, &el);
            let mut g = gesture.borrow_mut();
            let was_single = g.pointers.len() == 1;
            g.pointers.retain(|p| p.0 != e.pointer_id());
            let _ = el.release_pointer_capture(e.pointer_id());
            if !was_single {
                g.pinch = None;
                return;
            }
            let clicked = !g.dragged;
            g.down = None;
            drop(g);
            let (vw, vh) = state.viewport.get_untracked();
            let (ix, iy) = state.view.get_untracked().to_image(sx, sy, vw, vh);
            match state.tool.get_untracked() {
                Tool::Rectangle => annotate::rect_end(state),
                _ if clicked => annotate::click(state, ix, iy),
                _ => {}
            }
        }
    };
    let on_cancel = {
        let gesture = gesture.clone();
        move |e: ev::PointerEvent| {
            let mut g = gesture.borrow_mut();
            g.pointers.retain(|p| p.0 != e.pointer_id());
            g.down = None;
            g.pinch = None;
        }
    };
    let on_leave = move |_| {
        state.readout.set(None);
        state.hovered.set(None);
    };
    let cursor = move || match state.tool.get() {
        Tool::Inspect => "tool-inspect",
        Tool::Add | Tool::Remove | Tool::Rectangle | Tool::Polygon => "tool-cross",
    };

    view! {
        <section class="viewer" aria-label="Image viewer">
            <super::toolbar::Toolbar />
            <div class="empty" class:hidden=has_image>
                <h2>"Count cells in fluorescence images"</h2>
                <p>
                    "Drop PNG, JPEG or TIFF images anywhere on this page, or use "
                    <strong>"Open images…"</strong>" above. "
                    "Several at once are fine."
                </p>
                <p class="privacy">
                    "Everything runs in your browser: nothing is uploaded."
                </p>
                <p class="small">"Press ? for keyboard shortcuts."</p>
                <super::links::gallery::Gallery />
            </div>
            <div
                class=move || format!("viewport {}", cursor())
                class:hidden=move || !has_image()
                node_ref=viewport_ref
                tabindex="0"
                role="application"
                aria-label="Image. Wheel or + and - zoom, drag pans, 0 fits, 1 shows 100%."
                aria-roledescription="image viewer"
                data-testid="viewport"
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_cancel
                on:pointerleave=on_leave
                on:contextmenu=move |e: ev::MouseEvent| e.prevent_default()
                on:dblclick=move |_| {
                    if state.tool.get_untracked() == Tool::Polygon {
                        annotate::close_polygon(state);
                    }
                }
            >
                <canvas
                    class="canvas"
                    data-testid="viewer"
                    node_ref=canvas_ref
                    width="0"
                    height="0"
                    style:transform=transform
                ></canvas>
                <canvas class="screen-layer" data-testid="viewer-screen" node_ref=screen_ref
                    aria-hidden="true"></canvas>
            </div>
            <super::toolbar::ReadoutBar />
        </section>
    }
}

/// Zoom as a percentage, as ImageJ shows it in the title bar.
pub fn zoom_percent(view: View) -> String {
    let p = view.zoom * 100.0;
    if p >= 10.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// The raw values under the pointer as ImageJ's status bar shows them.
pub fn describe_values(values: &[u16]) -> String {
    match values {
        [v] => format!("value={v}"),
        [v, a] => format!("value={v}, alpha={a}"),
        [r, g, b] => format!("RGB({r},{g},{b})"),
        [r, g, b, a] => format!("RGBA({r},{g},{b},{a})"),
        _ => String::new(),
    }
}

/// Shortcut steps of the zoom keys and buttons.
pub const STEP: f64 = ZOOM_STEP;
