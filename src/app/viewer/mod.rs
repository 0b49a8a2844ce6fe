//! The viewer: the selected image with its image-space layers on a canvas at the image's own
//! resolution, shown through a CSS transform (zoom and pan without redrawing, crisp pixels), and
//! a screen-space canvas above it for numbers, centroids, markers, regions and highlights
//! ([`draw`]); zoom, pan and the pointer's gestures ([`zoom`]); what is under the pointer
//! ([`readout`]); the toolbar and shortcuts ([`toolbar`]); corrections and regions
//! ([`annotate`]).

pub mod annotate;
pub mod draw;
pub mod readout;
pub mod toolbar;
pub mod zoom;

use self::{
    draw::{draw_image, draw_screen},
    readout::ReadoutBar,
    toolbar::Toolbar,
    zoom::{Gesture, fit, local},
};
use crate::app::{
    links::gallery::Gallery,
    state::{Tool, use_app_state},
};
use leptos::{ev, html, prelude::*};
use std::{cell::RefCell, rc::Rc};
use wasm_bindgen::{JsCast, prelude::*};

/// The selected image, or an explanation of what to do when there is none.
#[component]
pub fn Viewer() -> impl IntoView {
    let state = use_app_state();
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let screen_ref = NodeRef::<html::Canvas>::new();
    let viewport_ref = NodeRef::<html::Div>::new();
    let has_image = move || state.images.selected.get().is_some();

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
        let now = state.images.selected.get();
        if prev != Some(now) {
            state.viewer.chosen.set(None);
            state.viewer.hovered.set(None);
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
                zoom::resized(state, (r.width(), r.height()));
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
            if state.images.selected.get_untracked().is_none() {
                return;
            }
            e.prevent_default();
            zoom::wheel(state, &e, local(&e, &target));
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
        let (vw, vh) = state.viewer.viewport.get();
        state.viewer.view.get().css_transform(vw, vh)
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
            gesture
                .borrow_mut()
                .down(state, e.pointer_id(), local(&e, &el));
        }
    };
    let on_move = {
        let gesture = gesture.clone();
        move |e: ev::PointerEvent| {
            if let Some(el) = viewport_ref.get_untracked() {
                gesture
                    .borrow_mut()
                    .moved(state, e.pointer_id(), local(&e, &el));
            }
        }
    };
    let on_up = {
        let gesture = gesture.clone();
        move |e: ev::PointerEvent| {
            let Some(el) = viewport_ref.get_untracked() else {
                return;
            };
            let _ = el.release_pointer_capture(e.pointer_id());
            gesture
                .borrow_mut()
                .up(state, e.pointer_id(), local(&e, &el));
        }
    };
    let on_cancel = {
        let gesture = gesture.clone();
        move |e: ev::PointerEvent| gesture.borrow_mut().cancel(e.pointer_id())
    };
    let on_leave = move |_| {
        state.viewer.readout.set(None);
        state.viewer.hovered.set(None);
    };
    let cursor = move || match state.viewer.tool.get() {
        Tool::Inspect => "tool-inspect",
        Tool::Add | Tool::Remove | Tool::Rectangle | Tool::Polygon => "tool-cross",
    };

    view! {
        <section class="viewer" aria-label="Image viewer">
            <Toolbar />
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
                <Gallery />
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
                    if state.viewer.tool.get_untracked() == Tool::Polygon {
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
            <ReadoutBar />
        </section>
    }
}
