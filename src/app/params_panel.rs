//! The parameter panel: every setting of the count, each with a visible label, grouped as the
//! pipeline runs (Input, Detect, Split, Filter).

use super::{
    display_panel::DisplayPanel,
    histogram_view::HistogramView,
    overlay_panel::OverlayPanel,
    state::{PresetChoice, use_app_state},
    threshold_control::ThresholdControl,
};
use crate::core::{
    Channel, Params, ThresholdMethod,
    params::{MAX_RADIUS, MAX_SIGMA, MAX_WINDOW},
    presets::Collection,
};
use leptos::prelude::*;

/// A number input bound to one parameter key (see `Params::set`).
#[component]
fn KeyField(
    /// Visible label.
    label: &'static str,
    /// The parameter's key; also the test id, with `_` as `-`.
    key: &'static str,
    /// Step of the arrows.
    step: &'static str,
    /// Smallest value.
    #[prop(default = "0")]
    min: &'static str,
    /// Largest value, if any.
    #[prop(optional)]
    max: Option<String>,
    /// Test id, if not derived from the key.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    let state = use_app_state();
    let id = testid.map_or_else(|| key.replace('_', "-"), str::to_string);
    // A memo, so typing "1." is not rewritten to "1" while the value stays the same.
    let value = Memo::new(move |_| {
        state.params.with(|p| {
            let v = p.get(key).unwrap_or_default();
            if v == "inf" || v == "default" {
                String::new()
            } else {
                v
            }
        })
    });
    let on_input = move |e| {
        let text = event_target_value(&e);
        let mut next = state.params.get_untracked();
        if next.set(key, text.trim()).is_ok() && next != state.params.get_untracked() {
            state.set_params(|p| *p = next);
        }
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id.clone() type="number" min=min max=max step=step data-testid=id
                prop:value=value on:input=on_input />
        </div>
    }
}

/// A checkbox bound to one boolean parameter key.
#[component]
fn KeyCheck(label: &'static str, key: &'static str, testid: &'static str) -> impl IntoView {
    let state = use_app_state();
    let checked = move || state.params.with(|p| p.get(key).as_deref() == Some("1"));
    view! {
        <div class="field check">
            <input id=testid type="checkbox" data-testid=testid prop:checked=checked
                on:change=move |e| {
                    let on = if event_target_checked(&e) { "1" } else { "0" };
                    state.set_params(|p| { let _ = p.set(key, on); })
                } />
            <label for=testid>{label}</label>
        </div>
    }
}

/// A select bound to one parameter key.
#[component]
fn KeySelect(
    label: &'static str,
    key: &'static str,
    testid: &'static str,
    /// (value, text) of every option.
    options: Vec<(String, String)>,
) -> impl IntoView {
    let state = use_app_state();
    let current = Memo::new(move |_| state.params.with(|p| p.get(key).unwrap_or_default()));
    view! {
        <div class="field">
            <label for=testid>{label}</label>
            <select id=testid data-testid=testid
                on:change=move |e| {
                    let v = event_target_value(&e);
                    state.set_params(|p| { let _ = p.set(key, &v); })
                }>
                {options.into_iter().map(|(v, text)| {
                    let v2 = v.clone();
                    view! { <option value=v prop:selected=move || current.get() == v2>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// The preset choice: a collection, automatic from the selected image's colour, or custom.
#[component]
fn PresetSelect() -> impl IntoView {
    let state = use_app_state();
    let current = move || state.preset.get().value();
    let detected = move || match (state.preset.get(), state.selected.get().is_some()) {
        (PresetChoice::Auto(Some(c)), true) => format!("Auto: {c} preset for this image"),
        (PresetChoice::Auto(None), true) => "Auto: yellow preset for this image (grey)".into(),
        (PresetChoice::Auto(_), false) => "Auto: each image gets the preset of its colour".into(),
        (PresetChoice::Fixed(c), _) => format!("{c} preset for every image"),
        (PresetChoice::Custom, _) => "these settings for every image".into(),
    };
    let on_change = move |e| {
        let v = event_target_value(&e);
        match v.as_str() {
            "auto" => state.choose_auto_preset(),
            other => {
                if let Ok(c) = other.parse::<Collection>() {
                    state.apply_preset(PresetChoice::Fixed(c), c.preset());
                }
            }
        }
    };
    let options = [
        ("auto", "Auto (each image by its colour)"),
        ("yellow", "Yellow (CTb)"),
        ("red", "Red"),
        ("green", "Green (nuclear)"),
        ("custom", "Custom"),
    ];
    view! {
        <div class="field">
            <label for="preset">"Preset"</label>
            <select id="preset" data-testid="preset" on:change=on_change>
                {options.into_iter().map(|(v, text)| view! {
                    <option value=v disabled=v == "custom" prop:selected=move || current() == v>{text}</option>
                }).collect_view()}
            </select>
            <span class="hint small" data-testid="preset-detected">{detected}</span>
        </div>
    }
}

/// Every analysis setting in collapsible groups (Input, Detect, Filter), the display settings and
/// overlay layers (Display), and the parameters' text form.
#[component]
pub fn ParamsPanel() -> impl IntoView {
    let state = use_app_state();
    let channels = Channel::ALL
        .iter()
        .map(|c| (c.name().to_string(), c.label().to_string()))
        .collect();
    let methods = ThresholdMethod::all()
        .into_iter()
        .map(|m| (m.name(), m.label()))
        .collect();
    let conns = vec![
        ("4".into(), "4 (edges)".into()),
        ("8".into(), "8 (edges and corners)".into()),
    ];
    let local = move || {
        state
            .params
            .with(|p| matches!(p.method, ThresholdMethod::Local(_)))
    };
    let split = move || state.params.with(|p| p.split);
    let query = move || state.params.with(Params::to_query);
    view! {
        <aside class="panel params" aria-label="Parameters">
            <h2 class="sr-only">"Parameters and display"</h2>
            <details class="group" open data-testid="group-input">
                <summary>"Input"</summary>
                <PresetSelect />
                <KeySelect label="Channel" key="channel" testid="channel" options=channels />
                <KeyField label="Subtract background: rolling ball radius (px, 0 = off)" key="bg"
                    testid="background" step="5" max=MAX_WINDOW.to_string() />
                <KeyField label="Smoothing sigma (px)" key="sigma" step="0.1" max=MAX_SIGMA.to_string() />
            </details>
            <details class="group" open data-testid="group-detect">
                <summary>"Detect"</summary>
                <KeySelect label="Threshold method" key="method" testid="method" options=methods />
                <Show when=move || !local()><ThresholdControl /></Show>
                <HistogramView />
                <Show when=local>
                    <KeyField label="Local radius (px)" key="local_radius" step="1" min="1" max=MAX_WINDOW.to_string() />
                    <KeyField label="Parameter 1 (empty = method default)" key="p1" testid="local-p1" step="0.05" min="-1000000" />
                    <KeyField label="Parameter 2 (empty = method default)" key="p2" testid="local-p2" step="0.05" min="-1000000" />
                </Show>
                <KeyField label="Opening radius (px)" key="open" step="1" max=MAX_RADIUS.to_string() />
                <KeyField label="Closing radius (px)" key="close" step="1" max=MAX_RADIUS.to_string() />
                <KeyCheck label="Fill holes" key="fill" testid="fill" />
                <h3>"Split touching cells"</h3>
                <KeyCheck label="Watershed on the distance map" key="split" testid="split" />
                <Show when=split>
                    <KeyField label="Seed prominence (px of distance)" key="prominence" step="0.25" max="1000".to_string() />
                    <KeyField label="Minimum seed distance (px)" key="seed_distance" step="1" max="1000".to_string() />
                </Show>
                <KeySelect label="Connectivity" key="conn" testid="connectivity" options=conns />
            </details>
            <details class="group" open data-testid="group-filter">
                <summary>"Filter"</summary>
                <KeyField label="Min area (px)" key="min_area" step="10" />
                <KeyField label="Max area (px, empty = no limit)" key="max_area" step="100" min="1" />
                <KeyField label="Min circularity (0–1)" key="min_circ" step="0.05" max="1".to_string() />
                <KeyField label="Max circularity (0–1)" key="max_circ" step="0.05" max="1".to_string() />
                <KeyField label="Min mean intensity" key="min_mean" step="1" max="65535".to_string() />
                <KeyField label="Min contrast to the surroundings (0 = off)" key="min_contrast" step="1" max="65535".to_string() />
                <KeyCheck label="Exclude objects on the image edge" key="exclude_edges" testid="exclude-edges" />
            </details>
            <details class="group" open data-testid="group-display">
                <summary>"Display"</summary>
                <p class="small">"Display settings never change the count."</p>
                <DisplayPanel />
                <h3>"Overlay layers"</h3>
                <OverlayPanel />
            </details>
            <button class="button" data-testid="reset"
                on:click=move |_| state.apply_preset(PresetChoice::Custom, Params::default())>
                "Reset to defaults"
            </button>
            <details class="query">
                <summary>"Parameters as text"</summary>
                <code data-testid="params-text">{query}</code>
            </details>
        </aside>
    }
}
