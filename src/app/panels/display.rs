//! Display settings of the selected image (ImageJ's Brightness/Contrast, channels and lookup
//! tables). They change only what is drawn, never the analysis.

use crate::app::{
    pool,
    state::{AppState, use_app_state},
};
use crate::{
    imaging::{BitDepth, Image, Plane},
    protocol::messages::{DisplayChange, Request, Response},
    view::display::{
        DEFAULT_SATURATED, DisplayMode, DisplaySettings, GAMMA_MAX, GAMMA_MIN, Limits, Lut,
        shown_depth,
    },
};
use leptos::{prelude::*, task::spawn_local};

/// Runs `f` on image `id` and its analysed plane (if it was prepared); `None` if it is not loaded.
fn with_image<T>(
    state: AppState,
    id: u64,
    f: impl FnOnce(&Image, Option<&Plane>) -> T,
) -> Option<T> {
    state.images.slots.with_value(|s| {
        s.get(&id).map(|slot| {
            let analysed = slot.prepared.as_ref().map(|(_, p)| p.thresholded());
            f(&slot.image, analysed)
        })
    })
}

/// The display settings of the selected image.
#[component]
pub fn DisplayPanel() -> impl IntoView {
    let state = use_app_state();
    let saturated = RwSignal::new(DEFAULT_SATURATED);
    let current = Memo::new(move |_| {
        let id = state.images.selected.get()?;
        Some((id, state.images.display_of(id)))
    });
    let update = move |f: &dyn Fn(&mut DisplaySettings, u64)| {
        if let Some((id, mut s)) = current.get_untracked() {
            f(&mut s, id);
            state.images.displays.update(|d| {
                d.insert(id, s);
            });
        }
    };
    let colour = move || {
        state.images.selected.get().is_some_and(|id| {
            state
                .images
                .slots
                .with_value(|s| s.get(&id).is_some_and(|s| s.image.layout().channels() >= 3))
        })
    };
    let analysed = move || {
        current
            .get()
            .is_some_and(|(_, s)| matches!(s.mode, DisplayMode::Analysed(_)))
    };
    let rows = move || -> Vec<(usize, &'static str)> {
        if analysed() {
            vec![(0, "Analysed")]
        } else if colour() {
            vec![(0, "Red"), (1, "Green"), (2, "Blue")]
        } else {
            vec![(0, "Grey")]
        }
    };
    // Changes that read the image's pixels are made by its worker; the panel shows the answer,
    // or why there is none.
    let failed = RwSignal::new(None::<String>);
    let ask = move |change: DisplayChange| {
        let Some((id, settings)) = current.get_untracked() else {
            return;
        };
        let Some(worker) = state.images.worker_of(id) else {
            return;
        };
        failed.set(None);
        spawn_local(async move {
            let request = Request::Display {
                id,
                settings,
                change,
            };
            match pool::call(worker, &request).await {
                Ok(Response::Display(new)) => state.images.displays.update(|d| {
                    d.insert(id, new);
                }),
                Ok(Response::Failed(reason)) | Err(reason) => failed.set(Some(reason)),
                Ok(_) => failed.set(Some("the worker gave an unexpected answer".into())),
            }
        });
    };
    let max_value = move || {
        current
            .get()
            .and_then(|(id, s)| with_image(state, id, |image, p| shown_depth(image, p, s.mode)))
            .unwrap_or(BitDepth::Eight)
            .max_value()
    };
    let on_mode = move |e| {
        let v = event_target_value(&e);
        let mode = match v.as_str() {
            "analysed" => DisplayMode::Analysed(Lut::Grays),
            _ => DisplayMode::Composite,
        };
        ask(DisplayChange::Mode(mode));
    };
    let on_lut = move |e| {
        if let Some(lut) = Lut::from_name(&event_target_value(&e)) {
            update(&|s, _| s.mode = DisplayMode::Analysed(lut));
        }
    };
    let lut_now = move || match current.get() {
        Some((
            _,
            DisplaySettings {
                mode: DisplayMode::Analysed(l),
                ..
            },
        )) => l.name(),
        _ => "Grays",
    };
    view! {
        <div class="display" data-testid="display">
            <div class="field">
                <label for="display-mode">"Show"</label>
                <select id="display-mode" data-testid="display-mode" on:change=on_mode>
                    <option value="composite" prop:selected=move || !analysed()>"Image colours"</option>
                    <option value="analysed" prop:selected=analysed>"Analysed channel"</option>
                </select>
            </div>
            <Show when=analysed>
                <div class="field">
                    <label for="display-lut">"Lookup table"</label>
                    <select id="display-lut" data-testid="display-lut" on:change=on_lut>
                        {Lut::ALL.into_iter().map(|l| view! {
                            <option value=l.name() prop:selected=move || lut_now() == l.name()>{l.name()}</option>
                        }).collect_view()}
                    </select>
                </div>
            </Show>
            <table class="limits">
                <caption class="small">"Display range (Brightness/Contrast)"</caption>
                <thead><tr><th scope="col">"Channel"</th><th scope="col">"Min"</th><th scope="col">"Max"</th></tr></thead>
                <tbody>
                    {move || rows().into_iter().map(|(c, name)| {
                        let on_id = format!("channel-on-{c}");
                        let min_id = format!("display-min-{c}");
                        let max_id = format!("display-max-{c}");
                        let limits = move || current.get().map(|(_, s)| s.limits[c]).unwrap_or(Limits { min: 0, max: 255 });
                        let set = move |min: Option<u16>, max: Option<u16>| update(&|s, _| {
                            if let Some(v) = min { s.limits[c].min = v; }
                            if let Some(v) = max { s.limits[c].max = v; }
                        });
                        view! {
                            <tr>
                                <th scope="row">
                                    {(!analysed()).then(|| view! {
                                        <input id=on_id.clone() type="checkbox" data-testid=on_id.clone()
                                            prop:checked=move || current.get().is_none_or(|(_, s)| s.channels[c])
                                            on:change=move |e| {
                                                let on = event_target_checked(&e);
                                                update(&|s, _| s.channels[c] = on);
                                            } />
                                    })}
                                    <label for=on_id.clone()>{name}</label>
                                </th>
                                <td>
                                    <label class="sr-only" for=min_id.clone()>{format!("{name} minimum")}</label>
                                    <input id=min_id.clone() type="number" min="0" max=max_value step="1" data-testid=min_id
                                        prop:value=move || limits().min.to_string()
                                        on:change=move |e| { if let Ok(v) = event_target_value(&e).trim().parse::<u16>() { set(Some(v), None) } } />
                                </td>
                                <td>
                                    <label class="sr-only" for=max_id.clone()>{format!("{name} maximum")}</label>
                                    <input id=max_id.clone() type="number" min="0" max=max_value step="1" data-testid=max_id
                                        prop:value=move || limits().max.to_string()
                                        on:change=move |e| { if let Ok(v) = event_target_value(&e).trim().parse::<u16>() { set(None, Some(v)) } } />
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <div class="row">
                <label for="display-saturated" class="small">"Saturated %"</label>
                <input id="display-saturated" class="short" type="number" min="0" max="50" step="0.05"
                    data-testid="display-saturated" prop:value=move || saturated.get().to_string()
                    on:change=move |e| {
                        if let Ok(v) = event_target_value(&e).trim().parse::<f64>()
                            && (0.0..=50.0).contains(&v)
                        {
                            saturated.set(v);
                        }
                    } />
                <button class="button small-button" type="button" data-testid="display-auto"
                    on:click=move |_| ask(DisplayChange::Auto { saturated: saturated.get_untracked() })>"Auto"</button>
                <button class="button small-button" type="button" data-testid="display-reset"
                    on:click=move |_| ask(DisplayChange::Reset)>"Reset"</button>
            </div>
            {move || failed.get().map(|reason| view! {
                <p class="error small" role="alert">{format!("The display could not be changed: {reason}")}</p>
            })}
            <div class="field">
                <label for="display-gamma">"Gamma "
                    <span class="value" data-testid="display-gamma-value">{move || current.get().map_or_else(|| "1.00".into(), |(_, s)| format!("{:.2}", s.gamma))}</span>
                </label>
                <input id="display-gamma" type="range" min=GAMMA_MIN.to_string() max=GAMMA_MAX.to_string() step="0.05"
                    data-testid="display-gamma"
                    prop:value=move || current.get().map_or(1.0, |(_, s)| s.gamma).to_string()
                    on:input=move |e| {
                        if let Ok(v) = event_target_value(&e).parse::<f32>() {
                            update(&|s, _| s.gamma = v.clamp(GAMMA_MIN, GAMMA_MAX));
                        }
                    } />
            </div>
        </div>
    }
}
