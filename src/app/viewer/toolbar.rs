//! The viewer's toolbar (zoom, tools, marker type, undo/redo, help), the keyboard shortcuts and
//! their help panel.

use super::{
    annotate,
    zoom::{STEP, fit, zoom_by},
};
use crate::{
    app::{
        links::context::{Links, use_links},
        state::{AppState, Tool, use_app_state},
    },
    view::viewport::zoom_percent,
};
use leptos::{ev, prelude::*};
use wasm_bindgen::JsCast;

/// Every keyboard shortcut, as the help panel lists it.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("+ or =", "Zoom in"),
    ("-", "Zoom out"),
    ("0", "Fit the image in the window"),
    ("1", "Zoom to 100% (one image pixel per screen pixel)"),
    ("Wheel / pinch", "Zoom around the pointer"),
    ("Two-finger sideways swipe", "Pan (touchpad)"),
    ("Drag", "Pan (in any tool but the rectangle)"),
    ("Arrow keys", "Pan"),
    ("v", "Pan and inspect tool"),
    (
        "a",
        "Add-cell tool (Cell Counter marker of the current type)",
    ),
    (
        "x",
        "Remove tool (click an object or a marker; click again to restore)",
    ),
    ("r", "Rectangle region tool"),
    (
        "p",
        "Polygon region tool (Enter or double-click closes, Esc cancels)",
    ),
    ("Ctrl+Z", "Undo the last correction"),
    ("Ctrl+Shift+Z or Ctrl+Y", "Redo"),
    ("n / m", "Next / previous image"),
    ("?", "Show or hide this help"),
    ("Esc", "Close the Demos menu or this help, cancel a polygon"),
];

/// Whether a key event comes from a text field, where keys mean typing.
fn typing(e: &web_sys::KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            let tag = el.tag_name().to_ascii_lowercase();
            let kind = el.get_attribute("type").unwrap_or_default();
            tag == "textarea"
                || tag == "select"
                || (tag == "input"
                    && !matches!(
                        kind.as_str(),
                        "checkbox" | "radio" | "button" | "range" | "color" | "file"
                    ))
        })
}

/// Moves the selection to the next (`step` = 1) or previous (-1) image.
fn step_image(state: AppState, step: i64) {
    let ids: Vec<u64> = state.images.items.with_untracked(|v| {
        v.iter()
            .filter(|i| i.status.is_ok())
            .map(|i| i.id)
            .collect()
    });
    if ids.is_empty() {
        return;
    }
    let at = state
        .images
        .selected
        .get_untracked()
        .and_then(|s| ids.iter().position(|&i| i == s))
        .unwrap_or(0) as i64;
    let next = (at + step).rem_euclid(ids.len() as i64) as usize;
    state.images.selected.set(Some(ids[next]));
}

/// Handles a key pressed anywhere on the page (outside text fields).
fn on_key(state: AppState, links: Links, e: &web_sys::KeyboardEvent) {
    let key = e.key();
    let ctrl = e.ctrl_key() || e.meta_key();
    if key == "Escape" {
        // The innermost thing open closes first: the Demos menu, the help, a polygon drawn.
        if links.demos_open.get_untracked() {
            links.demos_open.set(false);
            e.prevent_default();
        } else if state.viewer.help.get_untracked() {
            state.viewer.help.set(false);
            e.prevent_default();
        } else if !state.annotations.draft.with_untracked(Vec::is_empty) {
            state.annotations.draft.set(Vec::new());
            e.prevent_default();
        }
        return;
    }
    if typing(e) {
        return;
    }
    if ctrl {
        match key.to_ascii_lowercase().as_str() {
            "z" if e.shift_key() => annotate::redo(state),
            "z" => annotate::undo(state),
            "y" => annotate::redo(state),
            _ => return,
        }
        e.prevent_default();
        return;
    }
    if e.alt_key() {
        return;
    }
    let (vw, vh) = state.viewer.viewport.get_untracked();
    let pan = (vw.min(vh) / 8.0).max(16.0);
    match key.as_str() {
        "?" => state.viewer.help.update(|h| *h = !*h),
        "+" | "=" => zoom_by(state, STEP),
        "-" | "_" => zoom_by(state, 1.0 / STEP),
        "0" => fit(state),
        "1" => state.viewer.view.update(|v| *v = v.actual()),
        "ArrowLeft" => state.viewer.view.update(|v| *v = v.pan(pan, 0.0)),
        "ArrowRight" => state.viewer.view.update(|v| *v = v.pan(-pan, 0.0)),
        "ArrowUp" => state.viewer.view.update(|v| *v = v.pan(0.0, pan)),
        "ArrowDown" => state.viewer.view.update(|v| *v = v.pan(0.0, -pan)),
        "Enter" if !state.annotations.draft.with_untracked(Vec::is_empty) => {
            annotate::close_polygon(state)
        }
        "n" => step_image(state, 1),
        "m" => step_image(state, -1),
        k => {
            let Some(tool) = Tool::ALL
                .into_iter()
                .find(|t| k.len() == 1 && k.starts_with(t.key()))
            else {
                return;
            };
            state.viewer.tool.set(tool);
            state.annotations.draft.set(Vec::new());
        }
    }
    e.prevent_default();
}

/// Zoom, tools, marker type, undo/redo and help.
#[component]
pub fn Toolbar() -> impl IntoView {
    let state = use_app_state();
    let links = use_links();
    let handle = window_event_listener(ev::keydown, move |e| on_key(state, links, &e));
    on_cleanup(move || handle.remove());
    let has_image = move || state.images.selected.get().is_some();
    view! {
        <div class="toolbar" role="toolbar" aria-label="Viewer tools" class:hidden=move || !has_image()>
            <div class="group" role="group" aria-label="Zoom">
                <button class="tb" type="button" data-testid="zoom-out" title="Zoom out (-)"
                    aria-label="Zoom out" on:click=move |_| zoom_by(state, 1.0 / STEP)>"−"</button>
                <output class="zoom" data-testid="zoom" aria-label="Zoom">
                    {move || zoom_percent(state.viewer.view.get())}
                </output>
                <button class="tb" type="button" data-testid="zoom-in" title="Zoom in (+)"
                    aria-label="Zoom in" on:click=move |_| zoom_by(state, STEP)>"+"</button>
                <button class="tb" type="button" data-testid="zoom-fit" title="Fit (0)"
                    on:click=move |_| fit(state)>"Fit"</button>
                <button class="tb" type="button" data-testid="zoom-100" title="100% (1)"
                    on:click=move |_| state.viewer.view.update(|v| *v = v.actual())>"100%"</button>
            </div>
            <div class="group" role="radiogroup" aria-label="Tool">
                {Tool::ALL.into_iter().map(|t| view! {
                    <button class="tb" type="button" role="radio"
                        data-testid=format!("tool-{}", t.name())
                        title=format!("{} ({})", t.label(), t.key())
                        aria-checked=move || (state.viewer.tool.get() == t).to_string()
                        class:active=move || state.viewer.tool.get() == t
                        on:click=move |_| { state.viewer.tool.set(t); state.annotations.draft.set(Vec::new()); }>
                        {t.label()}
                    </button>
                }).collect_view()}
            </div>
            <annotate::MarkerTypePicker />
            <div class="group" role="group" aria-label="History">
                <button class="tb" type="button" data-testid="undo" title="Undo (Ctrl+Z)"
                    disabled=move || !annotate::can_undo(state)
                    on:click=move |_| annotate::undo(state)>"Undo"</button>
                <button class="tb" type="button" data-testid="redo" title="Redo (Ctrl+Shift+Z)"
                    disabled=move || !annotate::can_redo(state)
                    on:click=move |_| annotate::redo(state)>"Redo"</button>
            </div>
            <button class="tb help-button" type="button" data-testid="help-open" title="Keyboard shortcuts (?)"
                aria-haspopup="dialog" on:click=move |_| state.viewer.help.update(|h| *h = !*h)>"?"</button>
        </div>
    }
}

/// The keyboard shortcuts, opened with `?`.
#[component]
pub fn HelpPanel() -> impl IntoView {
    let state = use_app_state();
    let close_ref = NodeRef::<leptos::html::Button>::new();
    // The element that had the focus before the help opened gets it back when it closes.
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
    Effect::new(move |_| {
        if state.viewer.help.get() {
            let active = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            opener.set_value(active);
            if let Some(b) = close_ref.get() {
                let _ = b.focus();
            }
        } else if let Some(el) = opener.get_value() {
            let _ = el.focus();
            opener.set_value(None);
        }
    });
    view! {
        <Show when=move || state.viewer.help.get()>
            <div class="help-backdrop" on:click=move |_| state.viewer.help.set(false)></div>
            // The Close button is the dialog's only control: Tab stays on it while it is open.
            <div class="help" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="help"
                on:keydown=move |e| {
                    if e.key() == "Tab" {
                        e.prevent_default();
                        if let Some(b) = close_ref.get_untracked() {
                            let _ = b.focus();
                        }
                    }
                }>
                // Close sits beside the title: taking the focus, it keeps the dialog at its top.
                <div class="help-head">
                    <h2 id="help-title">"Keyboard shortcuts"</h2>
                    <button class="button" type="button" data-testid="help-close" node_ref=close_ref
                        on:click=move |_| state.viewer.help.set(false)>"Close"</button>
                </div>
                <table class="shortcuts">
                    <thead><tr><th scope="col">"Key"</th><th scope="col">"Action"</th></tr></thead>
                    <tbody>
                        {SHORTCUTS.iter().map(|(k, what)| view! {
                            <tr><td><kbd>{*k}</kbd></td><td>{*what}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <p class="small">"Shortcuts do nothing while you type in a field."</p>
            </div>
        </Show>
    }
}
