//! Overlay layers: each with a switch, a colour and an opacity. They change only the display.

use crate::app::state::{LayerSetting, Overlay, use_viewer};
use crate::view::render::{hex_colour, parse_hex_colour};
use leptos::prelude::*;

/// The settings of one layer: switch, colour (unless fixed) and opacity. Test ids are
/// `overlay-{key}`, `{key}-colour` and `{key}-opacity`.
#[component]
fn LayerControls(
    label: &'static str,
    key: &'static str,
    field: fn(&mut Overlay) -> &mut LayerSetting,
    /// The layer's colours are fixed (shown as a legend instead of a colour input).
    #[prop(optional)]
    legend: Option<&'static str>,
) -> impl IntoView {
    let viewer = use_viewer();
    let get = move || viewer.overlay.with(|o| *field(&mut o.clone()));
    let switch = format!("overlay-{key}");
    let colour = format!("{key}-colour");
    let opacity = format!("{key}-opacity");
    let pct = move || (get().opacity * 100.0).round().to_string();
    view! {
        <div class="layer">
            <div class="field check">
                <input id=switch.clone() type="checkbox" data-testid=switch.clone()
                    prop:checked=move || get().on
                    on:change=move |e| {
                        let on = event_target_checked(&e);
                        viewer.overlay.update(|o| field(o).on = on);
                    } />
                <label for=switch>{label}</label>
            </div>
            <div class="layer-style">
                {match legend {
                    Some(text) => view! { <span class="small legend">{text}</span> }.into_any(),
                    None => view! {
                        <label class="sr-only" for=colour.clone()>{format!("{label} colour")}</label>
                        <input id=colour.clone() type="color" data-testid=colour
                            prop:value=move || hex_colour(get().colour)
                            on:input=move |e| {
                                if let Some(c) = parse_hex_colour(&event_target_value(&e)) {
                                    viewer.overlay.update(|o| field(o).colour = c);
                                }
                            } />
                    }.into_any(),
                }}
                <label class="sr-only" for=opacity.clone()>{format!("{label} opacity")}</label>
                <input id=opacity.clone() type="range" min="0" max="100" step="5" data-testid=opacity
                    prop:value=pct
                    on:input=move |e| {
                        if let Ok(v) = event_target_value(&e).parse::<f32>() {
                            viewer.overlay.update(|o| field(o).opacity = (v / 100.0).clamp(0.0, 1.0));
                        }
                    } />
                <span class="value small" aria-hidden="true">{pct}"%"</span>
            </div>
        </div>
    }
}

/// The scale bar layer: a switch (drawn only on a calibrated image).
#[component]
fn ScaleBarSwitch() -> impl IntoView {
    let viewer = use_viewer();
    view! {
        <div class="layer">
            <div class="field check">
                <input id="overlay-scalebar" type="checkbox" data-testid="overlay-scalebar"
                    prop:checked=move || viewer.scale_bar.get()
                    on:change=move |e| viewer.scale_bar.set(event_target_checked(&e)) />
                <label for="overlay-scalebar">"Scale bar (on a calibrated image)"</label>
            </div>
        </div>
    }
}

/// Every overlay layer.
#[component]
pub fn OverlayPanel() -> impl IntoView {
    view! {
        <div class="layers" role="group" aria-label="Overlay layers">
            <LayerControls label="Fill objects" key="fill" field={|o| &mut o.fill} />
            <LayerControls label="Outlines" key="outline" field={|o| &mut o.outline} />
            <LayerControls label="Object numbers" key="numbers" field={|o| &mut o.numbers} />
            <LayerControls label="Centroids" key="centroids" field={|o| &mut o.centroids} />
            <LayerControls label="Ground-truth outlines" key="truth" field={|o| &mut o.truth} />
            <LayerControls label="Colour by ground truth (TP / FP / FN)" key="score"
                field={|o| &mut o.score} legend="blue TP · white FP · purple FN" />
            <LayerControls label="Rejected by a filter (hover for the reason)" key="rejected"
                field={|o| &mut o.rejected} />
            <ScaleBarSwitch />
        </div>
    }
}
