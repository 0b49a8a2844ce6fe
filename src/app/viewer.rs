//! The canvas showing the selected image with its objects overlaid.

use super::state::use_app_state;
use crate::core::render::{ScoreOverlay, composite, composite_scored};
use leptos::{html, prelude::*};
use wasm_bindgen::{Clamped, JsCast};

/// Draws `rgba` (width x height) on the canvas, sizing the canvas to the image.
fn draw(canvas: &web_sys::HtmlCanvasElement, rgba: &[u8], width: u32, height: u32) {
    if canvas.width() != width || canvas.height() != height {
        canvas.set_width(width);
        canvas.set_height(height);
    }
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    if let Ok(data) =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)
    {
        let _ = ctx.put_image_data(&data, 0.0, 0.0);
    }
}

/// The selected image, or an explanation of what to do when there is none.
#[component]
pub fn Viewer() -> impl IntoView {
    let state = use_app_state();
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let has_image = move || state.selected.get().is_some();
    Effect::new(move |_| {
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let Some(id) = state.selected.get() else {
            return;
        };
        let overlay = state.overlay.get();
        let style = overlay.style();
        let outcome = state.outcomes.with(|o| o.get(&id).cloned());
        let Some(base) = state
            .slots
            .with_value(|s| s.get(&id).map(|s| s.base.clone()))
        else {
            return;
        };
        let (w, h) = state.slots.with_value(|s| {
            s.get(&id)
                .map_or((0, 0), |s| (s.image.width(), s.image.height()))
        });
        match outcome {
            Some(o) if o.analysis.labels.len() == w as usize * h as usize => {
                let rgba = match o.score.as_deref().filter(|_| overlay.score) {
                    Some(s) => {
                        let matched: Vec<bool> = s.matches.iter().map(Option::is_some).collect();
                        let missed: Vec<(u32, u32, u32)> = s
                            .missed
                            .iter()
                            .filter_map(|&l| s.truth_objects.get(l as usize - 1))
                            .map(|t| (t.cx, t.cy, (t.x1 - t.x0).max(t.y1 - t.y0) / 2 + 2))
                            .collect();
                        composite_scored(
                            &base,
                            &o.analysis.labels,
                            w,
                            h,
                            &style,
                            &ScoreOverlay {
                                matched: &matched,
                                missed: &missed,
                            },
                        )
                    }
                    None => composite(&base, &o.analysis.labels, w, h, &style),
                };
                draw(&canvas, &rgba, w, h)
            }
            _ => draw(&canvas, &base, w, h),
        }
    });
    view! {
        <section class="viewer" aria-label="Image viewer">
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
            </div>
            <canvas
                class="canvas"
                class:hidden=move || !has_image()
                data-testid="viewer"
                node_ref=canvas_ref
                width="0"
                height="0"
            ></canvas>
        </section>
    }
}
