//! Overlay settings: fill and outline switches, their colours and the fill opacity.

use super::state::{Overlay, use_app_state};
use crate::core::render::{hex_colour, parse_hex_colour};
use leptos::prelude::*;

/// A checkbox bound to one overlay switch.
#[component]
fn OverlaySwitch(
    label: &'static str,
    testid: &'static str,
    field: fn(&mut Overlay) -> &mut bool,
) -> impl IntoView {
    let state = use_app_state();
    let checked = move || state.overlay.with(|o| *field(&mut o.clone()));
    let on_change = move |e| {
        let on = event_target_checked(&e);
        state.overlay.update(|o| *field(o) = on);
    };
    view! {
        <div class="field check">
            <input id=testid type="checkbox" data-testid=testid prop:checked=checked on:change=on_change />
            <label for=testid>{label}</label>
        </div>
    }
}

/// A colour input bound to one overlay colour.
#[component]
fn ColourField(
    label: &'static str,
    testid: &'static str,
    field: fn(&mut Overlay) -> &mut [u8; 3],
) -> impl IntoView {
    let state = use_app_state();
    let value = move || state.overlay.with(|o| hex_colour(*field(&mut o.clone())));
    let on_input = move |e| {
        if let Some(c) = parse_hex_colour(&event_target_value(&e)) {
            state.overlay.update(|o| *field(o) = c);
        }
    };
    view! {
        <div class="field inline">
            <label for=testid>{label}</label>
            <input id=testid type="color" data-testid=testid prop:value=value on:input=on_input />
        </div>
    }
}

/// The overlay settings (they change only the display, never the count).
#[component]
pub fn OverlayPanel() -> impl IntoView {
    let state = use_app_state();
    let opacity = move || {
        state
            .overlay
            .with(|o| (o.opacity * 100.0).round().to_string())
    };
    let on_opacity = move |e| {
        if let Ok(v) = event_target_value(&e).parse::<f32>() {
            state
                .overlay
                .update(|o| o.opacity = (v / 100.0).clamp(0.0, 1.0));
        }
    };
    view! {
        <h3>"Overlay"</h3>
        <OverlaySwitch label="Fill objects" testid="overlay-fill" field={|o| &mut o.fill} />
        <ColourField label="Fill colour" testid="fill-colour" field={|o| &mut o.fill_colour} />
        <div class="field">
            <label for="fill-opacity">"Fill opacity " <span class="value">{opacity} "%"</span></label>
            <input id="fill-opacity" type="range" min="0" max="100" step="5" data-testid="fill-opacity"
                prop:value=opacity on:input=on_opacity />
        </div>
        <OverlaySwitch label="Outline objects" testid="overlay-outline" field={|o| &mut o.outline} />
        <ColourField label="Outline colour" testid="outline-colour" field={|o| &mut o.outline_colour} />
        <OverlaySwitch label="Colour by ground truth (TP / FP / FN)" testid="overlay-score" field={|o| &mut o.score} />
    }
}
