//! The parameter panel: every setting of the count, each with a visible label.

use super::{
    overlay_panel::OverlayPanel, state::use_app_state, threshold_control::ThresholdControl,
};
use crate::core::{
    Channel, Connectivity, Params, ThresholdMethod,
    params::{MAX_RADIUS, MAX_SIGMA},
};
use leptos::prelude::*;

/// A number input bound to one field of the parameters.
#[component]
fn NumberField(
    /// Visible label.
    label: &'static str,
    /// Test id.
    testid: &'static str,
    /// Step of the arrows.
    step: &'static str,
    /// Largest value, if any.
    max: Option<String>,
    /// The field's text from the parameters.
    read: fn(&Params) -> String,
    /// Applies the typed text; `false` if it is not valid (the parameters stay as they are).
    write: fn(&mut Params, &str) -> bool,
) -> impl IntoView {
    let state = use_app_state();
    // A memo, so typing "1." is not rewritten to "1" while the value stays the same.
    let value = Memo::new(move |_| state.params.with(read));
    let on_input = move |e| {
        let text = event_target_value(&e);
        let mut next = state.params.get_untracked();
        if write(&mut next, text.trim()) && next != state.params.get_untracked() {
            state.set_params(|p| *p = next);
        }
    };
    view! {
        <div class="field">
            <label for=testid>{label}</label>
            <input id=testid type="number" min="0" max=max step=step data-testid=testid
                prop:value=value on:input=on_input />
        </div>
    }
}

/// A select bound to one field of the parameters.
#[component]
fn SelectField(
    /// Visible label.
    label: &'static str,
    /// Test id.
    testid: &'static str,
    /// (value, text) of every option.
    options: Vec<(&'static str, &'static str)>,
    /// The selected value from the parameters.
    read: fn(&Params) -> &'static str,
    /// Applies the chosen value.
    write: fn(&mut Params, &str),
) -> impl IntoView {
    let state = use_app_state();
    let current = Memo::new(move |_| state.params.with(read));
    let on_change = move |e| {
        let v = event_target_value(&e);
        state.set_params(|p| write(p, &v));
    };
    view! {
        <div class="field">
            <label for=testid>{label}</label>
            <select id=testid data-testid=testid on:change=on_change>
                {options.into_iter().map(|(v, text)| view! {
                    <option value=v prop:selected=move || current.get() == v>{text}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// Every analysis setting, the overlay switches and the parameters' text form.
#[component]
pub fn ParamsPanel() -> impl IntoView {
    let state = use_app_state();
    let channels = Channel::ALL.iter().map(|c| (c.name(), c.label())).collect();
    let methods = ThresholdMethod::ALL
        .iter()
        .map(|m| (m.name(), m.label()))
        .collect();
    let conns = vec![("4", "4 (edges)"), ("8", "8 (edges and corners)")];
    let fill_checked = move || state.params.with(|p| p.fill_holes);
    let query = move || state.params.with(Params::to_query);
    view! {
        <aside class="panel params" aria-label="Parameters">
            <h2>"Parameters"</h2>
            <SelectField label="Channel" testid="channel" options=channels
                read={|p| p.channel.name()} write={|p, v| if let Ok(c) = v.parse() { p.channel = c }} />
            <NumberField label="Smoothing sigma (px)" testid="sigma" step="0.1" max=Some(MAX_SIGMA.to_string())
                read={|p| p.sigma.to_string()}
                write={|p, t| match t.parse::<f32>() {
                    Ok(s) if s.is_finite() && s >= 0.0 => { p.sigma = s.min(MAX_SIGMA); true }
                    _ => false,
                }} />
            <SelectField label="Threshold method" testid="method" options=methods
                read={|p| p.method.name()} write={|p, v| if let Ok(m) = v.parse() { p.method = m }} />
            <ThresholdControl />
            <NumberField label="Opening radius (px)" testid="open" step="1" max=Some(MAX_RADIUS.to_string())
                read={|p| p.open_radius.to_string()}
                write={|p, t| t.parse::<u32>().map(|r| p.open_radius = r.min(MAX_RADIUS)).is_ok()} />
            <NumberField label="Closing radius (px)" testid="close" step="1" max=Some(MAX_RADIUS.to_string())
                read={|p| p.close_radius.to_string()}
                write={|p, t| t.parse::<u32>().map(|r| p.close_radius = r.min(MAX_RADIUS)).is_ok()} />
            <div class="field check">
                <input id="fill" type="checkbox" data-testid="fill" prop:checked=fill_checked
                    on:change=move |e| { let on = event_target_checked(&e); state.set_params(|p| p.fill_holes = on) } />
                <label for="fill">"Fill holes"</label>
            </div>
            <NumberField label="Min area (px)" testid="min-area" step="10" max=None
                read={|p| p.min_area.to_string()}
                write={|p, t| t.parse::<u64>().map(|a| p.min_area = a).is_ok()} />
            <NumberField label="Max area (px, empty = no limit)" testid="max-area" step="100" max=None
                read={|p| p.max_area.map(|a| a.to_string()).unwrap_or_default()}
                write={|p, t| {
                    if t.is_empty() { p.max_area = None; return true; }
                    t.parse::<u64>().map(|a| p.max_area = Some(a.max(1))).is_ok()
                }} />
            <SelectField label="Connectivity" testid="connectivity" options=conns
                read={|p| p.connectivity.name()}
                write={|p, v| if let Ok(c) = v.parse::<Connectivity>() { p.connectivity = c }} />
            <OverlayPanel />
            <button class="button" data-testid="reset" on:click=move |_| state.set_params(|p| *p = Params::default())>
                "Reset to defaults"
            </button>
            <details class="query">
                <summary>"Parameters as text"</summary>
                <code data-testid="params-text">{query}</code>
            </details>
        </aside>
    }
}
