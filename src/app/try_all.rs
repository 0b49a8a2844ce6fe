//! "Try all": the selected image thresholded by every ImageJ auto-threshold method, side by side,
//! each with its count (and F1 with a mask); a click adopts the method. The counts and pictures
//! come from the image's worker ([`Request::Preview`]); the page only shows them.

use super::{pool, state::use_app_state};
use crate::{
    count::{Params, ThresholdMethod},
    imaging::threshold::global::AutoMethod,
    protocol::messages::{Preview, Request, Response},
    view::render::png_data_url,
};
use leptos::{prelude::*, task::spawn_local};

/// Width of each preview, in pixels.
const THUMB_WIDTH: u32 = 200;

/// One method's result.
#[derive(Clone, Debug, PartialEq)]
struct Tried {
    method: AutoMethod,
    count: u32,
    level: Option<u16>,
    f1: Option<f64>,
    /// A PNG data URL of the preview.
    preview: String,
}

impl Tried {
    fn new(method: AutoMethod, p: &Preview) -> Self {
        Tried {
            method,
            count: p.count,
            level: p.level,
            f1: p.f1,
            preview: if p.png.is_empty() {
                String::new()
            } else {
                png_data_url(&p.png)
            },
        }
    }
}

/// The button and the grid of previews.
#[component]
pub fn TryAll() -> impl IntoView {
    let state = use_app_state();
    let results = RwSignal::new(Vec::<Tried>::new());
    let failed = RwSignal::new(None::<String>);
    let running = RwSignal::new(false);
    // Each run has a number; a run stopped or overtaken by a newer one sends nothing more.
    let run_id = StoredValue::new(0u64);
    let run = move |_| {
        let Some(id) = state.images.selected.get_untracked() else {
            return;
        };
        let Some(worker) = state.images.worker_of(id) else {
            return;
        };
        let run = run_id.get_value() + 1;
        run_id.set_value(run);
        running.set(true);
        failed.set(None);
        results.set(Vec::new());
        let params = state.counting.params.get_untracked();
        let scoring = state.counting.scoring.get_untracked();
        let display = state.images.display_of(id);
        let style = state.viewer.overlay.get_untracked().style();
        spawn_local(async move {
            for method in AutoMethod::ALL {
                let request = Request::Preview {
                    id,
                    params: Params {
                        method: ThresholdMethod::Auto(method),
                        ..params.clone()
                    },
                    scoring,
                    display,
                    style,
                    width: THUMB_WIDTH,
                };
                let reply = pool::call(worker, &request).await;
                if run_id.get_value() != run {
                    return;
                }
                match reply {
                    Ok(Response::Preview(p)) => results.update(|v| v.push(Tried::new(method, &p))),
                    Ok(Response::Failed(reason)) | Err(reason) => {
                        failed.set(Some(format!("{}: {reason}", method.name())));
                        break;
                    }
                    Ok(_) => {
                        failed.set(Some(format!("{}: an unexpected answer", method.name())));
                        break;
                    }
                }
            }
            running.set(false);
        });
    };
    let stop = move |_| {
        run_id.set_value(run_id.get_value() + 1);
        running.set(false);
    };
    let has_image = move || state.images.selected.get().is_some();
    view! {
        <section class="panel try-all" aria-label="Try all threshold methods">
            <div class="row">
                <button class="button" data-testid="try-all" on:click=run
                    disabled=move || !has_image() || running.get()>
                    "Try all 16 ImageJ methods"
                </button>
                <Show when=move || running.get()>
                    <button class="button" on:click=stop>"Stop"</button>
                </Show>
                <Show when=move || !results.with(Vec::is_empty)>
                    <button class="button" on:click=move |_| results.set(Vec::new())>"Close"</button>
                </Show>
            </div>
            {move || failed.get().map(|reason| view! {
                <p class="error" role="alert">{format!("Try all stopped: {reason}")}</p>
            })}
            <ul class="try-grid">
                <For each=move || results.get() key=|t| t.method.name() let(t)>
                    <li class="try-card" data-testid="try-card" data-method=t.method.name()
                        data-count=t.count.to_string()>
                        <button class="try-pick" title="Use this method"
                            on:click=move |_| state.set_params(|p| p.method = ThresholdMethod::Auto(t.method))>
                            <img src=t.preview.clone() alt=format!("{} threshold preview", t.method.name()) />
                            <span class="try-name">{t.method.name()}</span>
                            <span class="try-count">{format!("{} cells", t.count)}</span>
                            <span class="try-level">{t.level.map(|l| format!("level {l}")).unwrap_or_default()}</span>
                            {t.f1.map(|f| view! { <span class="try-f1" data-testid="try-f1">{format!("F1 {f:.2}")}</span> })}
                        </button>
                    </li>
                </For>
            </ul>
        </section>
    }
}
