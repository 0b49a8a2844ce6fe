//! "Try all": the selected image thresholded by every ImageJ auto-threshold method, side by side,
//! each with its count (and F1 with a mask); a click adopts the method.

use super::{browser::yield_to_browser, state::use_app_state};
use crate::{
    count::{
        ThresholdMethod,
        pipeline::{analyze_prepared, prepare, prepared_matches},
        scoring::score,
    },
    imaging::threshold::global::AutoMethod,
    view::render::{composite, png_data_url, thumbnail},
};
use leptos::{prelude::*, task::spawn_local};

/// Width of each preview, in pixels.
const THUMB_WIDTH: u32 = 200;

/// One method's result.
#[derive(Clone, Debug, PartialEq)]
struct Tried {
    method: AutoMethod,
    count: usize,
    level: Option<u16>,
    f1: Option<f64>,
    /// A PNG data URL of the preview.
    preview: String,
}

/// The button and the grid of previews.
#[component]
pub fn TryAll() -> impl IntoView {
    let state = use_app_state();
    let results = RwSignal::new(Vec::<Tried>::new());
    let running = RwSignal::new(false);
    let run = move |_| {
        let Some(id) = state.selected.get_untracked() else {
            return;
        };
        let display = state.display_of(id);
        let Some((image, base, truth, cached)) = state.slots.with_value(|s| {
            s.get(&id).map(|slot| {
                (
                    slot.image.clone(),
                    super::viewer::annotate::display_base(slot, &display),
                    slot.truth.clone(),
                    slot.prepared.clone(),
                )
            })
        }) else {
            return;
        };
        running.set(true);
        results.set(Vec::new());
        let params = state.params.get_untracked();
        let opts = state.scoring.get_untracked();
        spawn_local(async move {
            yield_to_browser().await;
            let prepared = match cached.filter(|(with, _)| prepared_matches(with, &params)) {
                Some((_, p)) => p,
                None => std::sync::Arc::new(prepare(&image, &params)),
            };
            for method in AutoMethod::ALL {
                if !running.get_untracked() {
                    return;
                }
                let p = crate::count::Params {
                    method: ThresholdMethod::Auto(method),
                    ..params.clone()
                };
                let a = analyze_prepared(&prepared, &p);
                let f1 = truth
                    .as_ref()
                    .and_then(|t| score(&a.components, t, opts).ok())
                    .map(|s| s.f1());
                let rgba = composite(
                    &base,
                    &a.labels,
                    a.width,
                    a.height,
                    &state.overlay.get_untracked().style(),
                );
                let preview =
                    thumbnail(&rgba, a.width, a.height, THUMB_WIDTH).map(|png| png_data_url(&png));
                results.update(|v| {
                    v.push(Tried {
                        method,
                        count: a.count(),
                        level: a.level,
                        f1,
                        preview: preview.unwrap_or_default(),
                    })
                });
                yield_to_browser().await;
            }
            running.set(false);
        });
    };
    let has_image = move || state.selected.get().is_some();
    view! {
        <section class="panel try-all" aria-label="Try all threshold methods">
            <div class="row">
                <button class="button" data-testid="try-all" on:click=run
                    disabled=move || !has_image() || running.get()>
                    "Try all 16 ImageJ methods"
                </button>
                <Show when=move || running.get()>
                    <button class="button" on:click=move |_| running.set(false)>"Stop"</button>
                </Show>
                <Show when=move || !results.with(Vec::is_empty)>
                    <button class="button" on:click=move |_| results.set(Vec::new())>"Close"</button>
                </Show>
            </div>
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
