//! The parameter panel: every setting of the count, each with a visible label, grouped as the
//! pipeline runs (Input, Detect, Split, Filter).

use super::{
    display::DisplayPanel, histogram::HistogramView, overlay::OverlayPanel,
    threshold::ThresholdControl,
};
use crate::app::{
    learn::session::use_builtin,
    state::{AppState, PresetChoice, use_app_state},
};
use crate::{
    count::{
        Params, ThresholdMethod,
        params::{Diameter, MAX_RADIUS, MAX_SIGMA, MAX_WINDOW, REFERENCE_DIAMETER, SizeKey},
        presets::Collection,
    },
    imaging::Channel,
    protocol::learn::builtin_names,
};
use leptos::prelude::*;

/// Applies a typed value to `key`: a valid one changes the parameters (and clears the field's
/// message); one that `Params::set` refuses leaves them as they are and says so in the field's
/// message, with what is expected and the value still in use, so nothing is accepted silently.
fn apply_typed(state: AppState, key: &str, text: &str, error: RwSignal<Option<String>>) {
    let mut next = state.counting.params.get_untracked();
    match next.set(key, text) {
        Ok(()) => {
            error.set(None);
            if next != state.counting.params.get_untracked() {
                state.set_params(|p| *p = next);
            }
        }
        Err(e) => {
            let expected = match e {
                crate::count::params::SetError::Invalid(what) => what,
                crate::count::params::SetError::UnknownKey => "a known setting",
            };
            let in_use = state
                .counting
                .params
                .with_untracked(|p| p.get(key))
                .unwrap_or_default();
            error.set(Some(format!(
                "“{text}” is not allowed here: {expected}. The count still uses {in_use}."
            )));
        }
    }
}

/// The message under a field whose typed value was refused (`{id}-error`).
fn field_error(id: &str, error: RwSignal<Option<String>>) -> impl IntoView + use<> {
    let testid = format!("{id}-error");
    move || {
        error.get().map(|m| {
            view! { <span class="field-error" role="alert" data-testid=testid.clone()>{m}</span> }
        })
    }
}

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
    /// What the setting does (the label's and the field's title).
    #[prop(optional)]
    title: Option<&'static str>,
) -> impl IntoView {
    let state = use_app_state();
    let id = testid.map_or_else(|| key.replace('_', "-"), str::to_string);
    // A memo, so typing "1." is not rewritten to "1" while the value stays the same.
    let value = Memo::new(move |_| {
        state.counting.params.with(|p| {
            let v = p.get(key).unwrap_or_default();
            if v == "inf" || v == "default" {
                String::new()
            } else {
                v
            }
        })
    });
    let error = RwSignal::new(None::<String>);
    let on_input = move |e| apply_typed(state, key, event_target_value(&e).trim(), error);
    let message = field_error(&id, error);
    view! {
        <div class="field">
            <label for=id.clone() title=title>{label}</label>
            <input id=id.clone() type="number" min=min max=max step=step data-testid=id title=title
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                prop:value=value on:input=on_input />
            {message}
        </div>
    }
}

/// The expected cell diameter the selected image uses: the given one, or the estimate it was
/// counted with (`None` until it is counted with an estimate).
fn diameter_used(state: AppState, p: &Params) -> Option<f32> {
    match p.diameter {
        Diameter::Px(d) => Some(d),
        Diameter::Auto => state
            .selected_outcome()
            .filter(|o| o.analysis.diameter_estimated)
            .map(|o| o.analysis.diameter),
    }
}

/// How a size setting follows the diameter `d`, for its title.
fn follow_rule(size: SizeKey) -> &'static str {
    size.rule()
}

/// The expected cell diameter: empty (with *auto* ticked) = estimated per image, shown as
/// "auto (57 px)"; or a number of pixels.
#[component]
fn DiameterField() -> impl IntoView {
    let state = use_app_state();
    let given = Memo::new(move |_| {
        state.counting.params.with(|p| match p.diameter {
            Diameter::Px(d) => Some(d),
            Diameter::Auto => None,
        })
    });
    let used = move || match given.get() {
        Some(d) => format!("{d} px (given)"),
        None => state
            .counting
            .params
            .with(|p| diameter_used(state, p))
            .map_or_else(|| "auto".into(), |d| format!("auto ({d:.0} px)")),
    };
    let value = move || given.get().map(|d| d.to_string()).unwrap_or_default();
    let set = move |text: &str| {
        let mut next = state.counting.params.get_untracked();
        if next.set("diameter", text).is_ok() && next != state.counting.params.get_untracked() {
            state.set_params(|p| *p = next);
        }
    };
    let on_input = move |e| {
        let text = event_target_value(&e);
        let text = text.trim();
        set(if text.is_empty() { "auto" } else { text });
    };
    let on_auto = move |e| {
        if event_target_checked(&e) {
            set("auto");
        } else {
            let d = state
                .counting
                .params
                .with_untracked(|p| diameter_used(state, p))
                .unwrap_or(REFERENCE_DIAMETER);
            set(&d.round().to_string());
        }
    };
    let title = "The expected cell diameter in pixels (Cellpose's diameter). Empty: estimated                  from each image (the scale of its brightest blobs). Size settings marked auto                  follow it, and the cell-body measures are relative to it.";
    view! {
        <div class="field">
            <label for="diameter" title=title>"Cell diameter (px, empty = auto)"</label>
            <div class="size-row">
                <input id="diameter" type="number" min="2" max="2000" step="1" data-testid="diameter"
                    title=title placeholder=used prop:value=value on:input=on_input />
                <span class="auto-toggle">
                    <input id="diameter-auto" type="checkbox" data-testid="diameter-auto"
                        prop:checked=move || given.get().is_none() on:change=on_auto />
                    <label for="diameter-auto">"auto"</label>
                </span>
            </div>
            <span class="hint small" data-testid="diameter-used">{used}</span>
        </div>
    }
}

/// A size setting that can follow the cell diameter: its value (the resolved one while it
/// follows, for the selected image's diameter) and an *auto* switch. Typing a number stops the
/// following (`Params::set`).
#[component]
fn SizeField(
    /// Visible label.
    label: &'static str,
    /// The setting.
    size: SizeKey,
    /// Test id, if not derived from the key (`_` as `-`); the switch is `{id}-auto`.
    #[prop(optional)]
    testid: Option<&'static str>,
    /// Step of the arrows.
    step: &'static str,
    /// Smallest value.
    #[prop(default = "0")]
    min: &'static str,
    /// Largest value, if any.
    #[prop(optional)]
    max: Option<String>,
) -> impl IntoView {
    let state = use_app_state();
    let key = size.key();
    let id = testid.map_or_else(|| key.replace('_', "-"), str::to_string);
    let auto_id = format!("{id}-auto");
    let follows = Memo::new(move |_| state.counting.params.with(|p| p.follow.contains(size)));
    // A memo, so typing "1." is not rewritten to "1" while the value stays the same.
    let value = Memo::new(move |_| {
        state.counting.params.with(|p| {
            let v = if p.follow.contains(size) {
                diameter_used(state, p)
                    .and_then(|d| p.resolved(d).get(key))
                    .unwrap_or_default()
            } else {
                p.get(key).unwrap_or_default()
            };
            if v == "inf" { String::new() } else { v }
        })
    });
    let placeholder = move || if follows.get() { "auto" } else { "" };
    let error = RwSignal::new(None::<String>);
    let on_input = move |e| apply_typed(state, key, event_target_value(&e).trim(), error);
    let on_auto = move |e| {
        error.set(None);
        let mut next = state.counting.params.get_untracked();
        let ok = if event_target_checked(&e) {
            next.set(key, "auto")
        } else {
            // Keep the value it had while following.
            let d = diameter_used(state, &next).unwrap_or(REFERENCE_DIAMETER);
            let v = next.resolved(d).get(key).unwrap_or_default();
            next.set(key, &v)
        };
        if ok.is_ok() && next != state.counting.params.get_untracked() {
            state.set_params(|p| *p = next);
        }
    };
    let title = format!(
        "auto: follows the cell diameter ({}); typing a number stops the following",
        follow_rule(size)
    );
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <div class="size-row">
                <input id=id.clone() type="number" min=min max=max step=step data-testid=id.clone()
                    class:following=move || follows.get() placeholder=placeholder
                    aria-invalid=move || error.with(Option::is_some).then_some("true")
                    prop:value=value on:input=on_input />
                <span class="auto-toggle" title=title.clone()>
                    <input id=auto_id.clone() type="checkbox" data-testid=auto_id.clone()
                        prop:checked=move || follows.get() on:change=on_auto />
                    <label for=auto_id>"auto"</label>
                </span>
            </div>
            {field_error(&id, error)}
        </div>
    }
}

/// A checkbox bound to one boolean parameter key.
#[component]
fn KeyCheck(label: &'static str, key: &'static str, testid: &'static str) -> impl IntoView {
    let state = use_app_state();
    let checked = move || {
        state
            .counting
            .params
            .with(|p| p.get(key).as_deref() == Some("1"))
    };
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
    let current = Memo::new(move |_| {
        state
            .counting
            .params
            .with(|p| p.get(key).unwrap_or_default())
    });
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
    // With a built-in model counting, the menu shows e.g. "yellow+model".
    let current = move || match state
        .counting
        .model
        .with(|m| m.builtin_name().map(String::from))
    {
        Some(name) => format!("{name}+model"),
        None => state.counting.preset.get().value().to_string(),
    };
    let detected = move || match (
        state.counting.preset.get(),
        state.images.selected.get().is_some(),
    ) {
        (PresetChoice::Auto(Some(c)), true) => format!("Auto: {c} preset for this image"),
        (PresetChoice::Auto(None), true) => "Auto: yellow preset for this image (grey)".into(),
        (PresetChoice::Auto(_), false) => "Auto: each image gets the preset of its colour".into(),
        (PresetChoice::Fixed(c), _) => format!("{c} preset for every image"),
        (PresetChoice::Custom, _) => "these settings for every image".into(),
    };
    // Settings picked for every image read one channel: say how many images are of another
    // colour (Auto would count each with its own).
    let detected = move || {
        let channel = match state.counting.preset.get() {
            PresetChoice::Auto(_) => None,
            PresetChoice::Fixed(c) => Some(c.preset().channel),
            PresetChoice::Custom => Some(state.counting.params.with(|p| p.channel)),
        };
        let other = channel.map_or(0, |ch| {
            state.images.items.with(|items| {
                items
                    .iter()
                    .filter(|i| {
                        state
                            .collection_of(i.id)
                            .is_some_and(|c| c.preset().channel != ch)
                    })
                    .count()
            })
        });
        match other {
            0 => detected(),
            1 => format!(
                "{}; 1 image is of another colour (Auto counts it with its own colour's preset)",
                detected()
            ),
            n => format!(
                "{}; {n} images are of another colour (Auto counts each with its own colour's preset)",
                detected()
            ),
        }
    };
    let on_change = move |e| {
        let v = event_target_value(&e);
        let (preset, model) = match v.split_once('+') {
            Some((p, _)) => (p.to_string(), Some(p.to_string())),
            None => (v, None),
        };
        // A built-in model follows the menu; the user's own model keeps its switch.
        let builtin = state
            .counting
            .model
            .with_untracked(|m| m.builtin_name().is_some());
        if model.is_some() || builtin {
            use_builtin(state, model.as_deref());
        }
        match preset.as_str() {
            "auto" => state.choose_auto_preset(),
            other => {
                if let Ok(c) = other.parse::<Collection>() {
                    state.apply_preset(PresetChoice::Fixed(c), c.preset());
                }
            }
        }
    };
    let with_model: Vec<(String, String)> = builtin_names()
        .iter()
        .map(|&n| {
            let label = match n {
                "auto" => "Auto + model (built-in, each image by its colour)".to_string(),
                other => {
                    let mut c = other.chars();
                    let first = c.next().map(|f| f.to_uppercase().collect::<String>());
                    format!(
                        "{}{} + model (built-in)",
                        first.unwrap_or_default(),
                        c.as_str()
                    )
                }
            };
            (format!("{n}+model"), label)
        })
        .collect();
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
                <optgroup label="With the built-in classifier">
                    {with_model.into_iter().map(|(v, text)| {
                        let v2 = v.clone();
                        view! { <option value=v prop:selected=move || current() == v2>{text}</option> }
                    }).collect_view()}
                </optgroup>
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
            .counting
            .params
            .with(|p| matches!(p.method, ThresholdMethod::Local(_)))
    };
    let split = move || state.counting.params.with(|p| p.split);
    let query = move || state.counting.params.with(Params::to_query);
    view! {
        <aside class="panel params" aria-label="Parameters">
            <h2 class="sr-only">"Parameters and display"</h2>
            <details class="group" open data-testid="group-input">
                <summary>"Input"</summary>
                <PresetSelect />
                <DiameterField />
                <KeySelect label="Channel" key="channel" testid="channel" options=channels />
                <SizeField label="Subtract background: rolling ball radius (px, 0 = off)"
                    size=SizeKey::Background testid="background" step="5" max=MAX_WINDOW.to_string() />
                <KeyField label="Smoothing sigma (px)" key="sigma" step="0.1" max=MAX_SIGMA.to_string() />
            </details>
            <details class="group" open data-testid="group-detect">
                <summary>"Detect"</summary>
                <KeySelect label="Threshold method" key="method" testid="method" options=methods />
                <Show when=move || !local()><ThresholdControl /></Show>
                <HistogramView />
                <Show when=local>
                    <SizeField label="Local radius (px)" size=SizeKey::LocalRadius step="1" min="1" max=MAX_WINDOW.to_string() />
                    <KeyField label="Parameter 1 (empty = method default)" key="p1" testid="local-p1" step="0.05" min="-1000000" />
                    <KeyField label="Parameter 2 (empty = method default)" key="p2" testid="local-p2" step="0.05" min="-1000000" />
                </Show>
                <SizeField label="Opening radius (px)" size=SizeKey::Open step="1" max=MAX_RADIUS.to_string() />
                <KeyField label="Closing radius (px)" key="close" step="1" max=MAX_RADIUS.to_string() />
                <KeyCheck label="Fill holes" key="fill" testid="fill" />
                <h3>"Split touching cells"</h3>
                <KeyCheck label="Watershed on the distance map" key="split" testid="split" />
                <Show when=split>
                    <KeyField label="Seed prominence (px of distance)" key="prominence" step="0.25" max="1000".to_string() />
                    <SizeField label="Minimum seed distance (px)" size=SizeKey::SeedDistance step="1" max="1000".to_string() />
                </Show>
                <KeySelect label="Connectivity" key="conn" testid="connectivity" options=conns />
            </details>
            <details class="group" open data-testid="group-filter">
                <summary>"Filter"</summary>
                <SizeField label="Min area (px)" size=SizeKey::MinArea step="10" />
                <SizeField label="Max area (px, empty = no limit)" size=SizeKey::MaxArea step="100" min="1" />
                <KeyField label="Min circularity (0–1)" key="min_circ" step="0.05" max="1".to_string() />
                <KeyField label="Max circularity (0–1)" key="max_circ" step="0.05" max="1".to_string() />
                <KeyField label="Min mean intensity" key="min_mean" step="1" max="65535".to_string() />
                <KeyField label="Min contrast to the surroundings (0 = off)" key="min_contrast" step="1" max="65535".to_string() />
                <KeyCheck label="Exclude objects on the image edge" key="exclude_edges" testid="exclude-edges" />
                <h3 title="Measures relative to the cell diameter and to the image's own brightness; 0 turns a filter off">
                    "Cell bodies (0 = off)"
                </h3>
                <KeyField label="Min thickness (× radius)" key="min_thickness" step="0.05" max="1000".to_string()
                    title="Smallest thickness kept: the radius of the largest disc inside the object over the expected cell radius. A fibre is thin at any length; a cell body is about 1." />
                <KeyField label="Max elongation (major / minor)" key="max_elongation" step="0.1" max="1000".to_string()
                    title="Largest elongation kept: the major over the minor axis of the fitted ellipse." />
                <KeyField label="Min blob (0–1)" key="min_blob" step="0.05" max="1".to_string()
                    title="Smallest blob measure kept: the ratio of the Hessian's eigenvalues at the cell scale at the object's centre; 1 is a round blob, 0 a ridge (a neurite) or an edge." />
                <KeyField label="Blob test skipped from (× radius)" key="blob_exempt" step="0.05" max="1000".to_string()
                    title="Thick bodies pass the blob filter: an object at least this many expected radii thick, and at most twice that, is kept whatever its blob measure. In dense tissue the neighbours of a cell bend the Hessian into a ridge's; a fibre is never that thick." />
                <KeyField label="Min brightness (robust SDs)" key="min_brightness" step="0.5" max="1000".to_string()
                    title="Smallest brightness kept: the object's mean minus the image's median, in units of the image's robust spread (1.4826 median absolute deviations)." />
                <KeyField label="Min ring contrast (robust SDs)" key="min_ring" step="0.5" max="1000".to_string()
                    title="Smallest contrast kept between the object and the ring of background around it, in units of the image's robust spread." />
                <KeyField label="Split thickness (× radius)" key="split_thickness" step="0.05" max="1000".to_string()
                    title="Splitting touching cells: a watershed seed must lie this many expected radii deep in the object, so thin parts are never cut off as cells (0 = any seed)." />
                <KeyField label="Split again from (× radius)" key="resplit" step="0.1" max="1000".to_string()
                    title="What splitting leaves this many expected radii thick or more is split again at its brightness maxima (the channel smoothed at d/6), so a clump of bright cell bodies comes apart; not an object touching the image's edge or with 1 % of its pixels at the image's largest value (0 = off)." />
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
