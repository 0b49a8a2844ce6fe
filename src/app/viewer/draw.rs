//! Drawing the viewer's two canvases: the image-space layers at the image's own resolution
//! (redrawn only when they change), and the screen-space layers above them (numbers, centroids,
//! markers, regions, the draft region and highlights), redrawn on every zoom, pan and hover.

use super::annotate;
use crate::{
    app::{browser::context_2d, pool, state::AppState},
    protocol::messages::{FrameJob, Request, Response},
    view::{
        labels::{self, LabelBox},
        viewport::View,
    },
};
use leptos::{prelude::*, task::spawn_local};
use std::cell::Cell;
use wasm_bindgen::Clamped;

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

thread_local! {
    /// The number of the latest frame asked for: an older frame that arrives later is not drawn.
    static FRAME: Cell<u64> = const { Cell::new(0) };
}

/// Image-space layers, redrawn only when they change (not on zoom, pan or hover). The frame is
/// made by the image's worker from the count it keeps ([`Request::Frame`]); the page only puts it
/// on the canvas.
pub fn draw_image(state: AppState, canvas: &web_sys::HtmlCanvasElement) {
    let Some(id) = state.images.selected.get() else {
        return;
    };
    let overlay = state.viewer.overlay.get();
    let display = state.images.display_of(id);
    let objects = state.counting.outcomes.with(|o| {
        o.get(&id)
            .map(|o| u32::try_from(o.analysis.count()).unwrap_or(u32::MAX))
    });
    let removed = annotate::removed_flags(state, id);
    let Some(worker) = state.images.worker_of(id) else {
        return;
    };
    let n = FRAME.with(|f| {
        f.set(f.get() + 1);
        f.get()
    });
    let canvas = canvas.clone();
    let job = FrameJob {
        id,
        display,
        overlay,
        removed,
        objects,
    };
    spawn_local(async move {
        let reply = pool::call(worker, &Request::Frame(Box::new(job))).await;
        if FRAME.with(Cell::get) != n || state.images.selected.get_untracked() != Some(id) {
            return;
        }
        // A refused frame (its count is not the worker's latest) is followed by the count that
        // is, and by its frame.
        if let Ok(Response::Frame {
            width,
            height,
            rgba,
        }) = reply
        {
            draw(&canvas, &rgba, width, height);
        }
    });
}

/// The colour of marker type `id` (1-based), as Cell Counter cycles its colours.
pub fn marker_colour(type_id: u32) -> &'static str {
    const COLOURS: [&str; 8] = [
        "#00e5ff", "#ffea00", "#ff3df2", "#76ff03", "#ff9100", "#ffffff", "#2979ff", "#ff1744",
    ];
    COLOURS[(type_id.saturating_sub(1) as usize) % COLOURS.len()]
}

/// Where the screen-space layers go: the viewer (with the hovered and chosen objects and the
/// region being drawn) or an export of the whole image at its own scale (without them).
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// The view: zoom and centre.
    pub view: View,
    /// Width of the drawing, in CSS pixels.
    pub vw: f64,
    /// Height of the drawing, in CSS pixels.
    pub vh: f64,
    /// The viewer itself: also the highlights and the draft region.
    pub interactive: bool,
}

/// Screen-space layers: numbers, centroids, markers, regions, the draft region and highlights.
pub fn draw_screen(state: AppState, canvas: &web_sys::HtmlCanvasElement) {
    let (vw, vh) = state.viewer.viewport.get();
    let view = state.viewer.view.get();
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
    let hidden = paint_layers(
        state,
        &ctx,
        Target {
            view,
            vw,
            vh,
            interactive: true,
        },
    );
    if state.viewer.numbers_hidden.get_untracked() != hidden {
        state.viewer.numbers_hidden.set(hidden);
    }
}

/// Paints the screen-space layers of the selected image for `t`; returns how many object
/// numbers were left out because they would overlap others ([`labels::place`]).
pub fn paint_layers(state: AppState, ctx: &web_sys::CanvasRenderingContext2d, t: Target) -> usize {
    let Target {
        view,
        vw,
        vh,
        interactive,
    } = t;
    let overlay = state.viewer.overlay.get();
    let hovered = state.viewer.hovered.get().filter(|_| interactive);
    let chosen = state.viewer.chosen.get().filter(|_| interactive);
    let outcome = state.selected_outcome();
    let id = state.images.selected.get();
    let markers = id
        .map(|id| annotate::markers(state, id))
        .unwrap_or_default();
    let rois = id.map(|id| annotate::rois(state, id)).unwrap_or_default();
    let removed = id
        .map(|id| annotate::removed_flags(state, id))
        .unwrap_or_default();
    let draft = if interactive {
        state.annotations.draft.get()
    } else {
        Vec::new()
    };
    let scale_bar = state.viewer.scale_bar.get();
    let calibration = id.and_then(|id| state.images.calibration_of(id));
    let Some(o) = outcome else {
        return 0;
    };
    let mut hidden = 0;
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
        let shown: Vec<(String, f64, f64)> = objects
            .iter()
            .map(|ob| (ob.label.to_string(), screen(ob.x, ob.y)))
            .filter(|(_, p)| visible(*p))
            .map(|(text, (sx, sy))| (text, sx, sy))
            .collect();
        let boxes: Vec<LabelBox> = shown
            .iter()
            .map(|(text, sx, sy)| LabelBox::of_text(text, *sx, *sy, 7.0, 12.0, 1.0))
            .collect();
        let keep = labels::place(&boxes);
        for ((text, sx, sy), keep) in shown.iter().zip(keep) {
            if keep {
                let _ = ctx.stroke_text(text, *sx, *sy);
                let _ = ctx.fill_text(text, *sx, *sy);
            } else {
                hidden += 1;
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
    if scale_bar && let Some(c) = calibration {
        draw_scale_bar(ctx, &c, vw, vh, view.zoom);
    }
    hidden
}

/// ImageJ's Scale Bar (Analyze › Tools): a white bar of a round length with its label at the
/// lower right of the view, on a dark backdrop so it reads on any image.
fn draw_scale_bar(
    ctx: &web_sys::CanvasRenderingContext2d,
    c: &crate::imaging::calibration::Calibration,
    vw: f64,
    vh: f64,
    zoom: f64,
) {
    let Some(bar) = crate::view::scalebar::scale_bar(c, vw, zoom) else {
        return;
    };
    let (margin, thick, text_h) = (16.0, 6.0, 16.0);
    let x1 = vw - margin;
    let x0 = x1 - bar.screen;
    let y = vh - margin - thick;
    ctx.set_fill_style_str("rgba(0, 0, 0, 0.55)");
    ctx.fill_rect(
        x0 - 8.0,
        y - text_h - 8.0,
        bar.screen + 16.0,
        thick + text_h + 14.0,
    );
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(x0, y, bar.screen, thick);
    ctx.set_font("bold 13px sans-serif");
    ctx.set_text_align("center");
    let _ = ctx.fill_text(&bar.label, (x0 + x1) / 2.0, y - 5.0);
}
