//! The list of loaded images and of files that could not be read.

use crate::app::state::{Item, PendingMask, use_app_state};
use leptos::prelude::*;

/// Loaded images with their counts (click to view), then the files that failed.
#[component]
pub fn ImageList() -> impl IntoView {
    let state = use_app_state();
    let images = move || {
        state.images.items.with(|v| {
            v.iter()
                .filter(|i| i.status.is_ok())
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let errors = move || {
        state.images.items.with(|v| {
            v.iter()
                .filter(|i| i.status.is_err())
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let empty = move || state.images.items.with(Vec::is_empty);
    view! {
        <aside class="panel images" aria-label="Loaded images">
            <h2>"Images"</h2>
            <Show when=empty>
                <p class="hint">"No images yet."</p>
            </Show>
            <ul class="image-list">
                <For each=images key=|i| i.id let(item)>
                    <ImageRow item />
                </For>
            </ul>
            <PendingMasks />
            <ul class="error-list">
                <For each=errors key=|i| i.id let(item)>
                    <ErrorRow item />
                </For>
            </ul>
        </aside>
    }
}

/// One decoded image: name, description and count; selects it for viewing.
#[component]
fn ImageRow(item: Item) -> impl IntoView {
    let state = use_app_state();
    let id = item.id;
    let count = move || {
        state
            .counting
            .outcomes
            .with(|o| o.get(&id).map(|o| o.analysis.count().to_string()))
    };
    let selected = move || state.images.selected.get() == Some(id);
    let description = item.status.clone().unwrap_or_default();
    let mask = move || {
        state
            .images
            .items
            .with(|v| v.iter().find(|i| i.id == id).and_then(|i| i.mask.clone()))
    };
    let f1 = move || {
        state.counting.outcomes.with(|o| {
            o.get(&id)
                .and_then(|o| o.score.as_ref().map(|s| format!("F1 {:.2}", s.f1())))
        })
    };
    let remove_label = format!("Remove {}", item.name);
    view! {
        <li class="image-item" class:selected=selected data-testid="image-item" data-count=count>
            <button
                class="select"
                aria-pressed=move || selected().to_string()
                on:click=move |_| state.images.selected.set(Some(id))
            >
                <span class="name" title=item.name.clone()>{item.name.clone()}</span>
                <span class="desc">{description}</span>
                <span class="item-count">
                    {move || count().unwrap_or_else(|| "…".into())}
                    " cells"
                    {move || f1().map(|f| view! { <span class="item-f1" data-testid="item-f1">" · "{f}</span> })}
                </span>
                {move || mask().map(|m| {
                    let title = m.clone();
                    view! { <span class="item-mask" data-testid="item-mask" title=title>"mask: "{m}</span> }
                })}
            </button>
            {crate::app::load::pages_of(id).map(|(pages, page)| {
                let label = format!("Page of {}", item.name);
                view! {
                    <label class="item-page" title="A multi-page TIFF: the page to show and count">
                        <span>"page"</span>
                        <select data-testid="item-page" aria-label=label
                            on:change=move |e| {
                                if let Ok(p) = event_target_value(&e).parse::<u32>() {
                                    state.show_page(id, p);
                                }
                            }>
                            {(1..=pages).map(|p| view! {
                                <option value=p.to_string() selected=p == page>{p.to_string()}</option>
                            }).collect_view()}
                        </select>
                        <span>{format!("of {pages}")}</span>
                    </label>
                }
            })}
            <button class="remove" aria-label=remove_label on:click=move |_| state.remove(id)>
                "×"
            </button>
        </li>
    }
}

/// One file that could not be read, with the reason.
#[component]
fn ErrorRow(item: Item) -> impl IntoView {
    let state = use_app_state();
    let id = item.id;
    let reason = item.status.clone().err().unwrap_or_default();
    let remove_label = format!("Dismiss the error about {}", item.name);
    view! {
        <li class="error-item" role="alert">
            <span data-testid="error">{format!("{}: {reason}", item.name)}</span>
            <button class="remove" aria-label=remove_label on:click=move |_| state.remove(id)>
                "×"
            </button>
        </li>
    }
}

/// Masks that could not be paired by name, each with a choice of image.
#[component]
fn PendingMasks() -> impl IntoView {
    let state = use_app_state();
    let pending = move || state.images.pending_masks.get();
    view! {
        <Show when=move || !state.images.pending_masks.with(Vec::is_empty)>
            <h3>"Masks without an image"</h3>
            <ul class="pending-masks">
                <For each=pending key=|m| m.id let(mask)>
                    <PendingRow mask />
                </For>
            </ul>
        </Show>
    }
}

/// One unpaired mask: pick its image, or dismiss it.
#[component]
fn PendingRow(mask: PendingMask) -> impl IntoView {
    let state = use_app_state();
    let id = mask.id;
    let select_id = format!("pending-{id}");
    let images = move || {
        state.images.items.with(|v| {
            v.iter()
                .filter(|i| i.status.is_ok())
                .map(|i| (i.id, i.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    let choice = RwSignal::new(String::new());
    let name = mask.name.clone();
    let data = mask.mask.clone();
    let attach = move |_| {
        let Ok(image) = choice.get_untracked().parse::<u64>() else {
            return;
        };
        state
            .images
            .pending_masks
            .update(|v| v.retain(|m| m.id != id));
        if let Err(reason) = state.attach_mask(image, name.clone(), data.clone()) {
            state.add_error(name.clone(), reason);
        }
    };
    view! {
        <li class="pending-mask" data-testid="pending-mask">
            <label for=select_id.clone()>{format!("Mask {} belongs to", mask.name)}</label>
            <select id=select_id data-testid="pending-mask-image"
                on:change=move |e| choice.set(event_target_value(&e))>
                <option value="">"choose an image…"</option>
                {move || images().into_iter().map(|(i, n)| view! {
                    <option value=i.to_string()>{n}</option>
                }).collect_view()}
            </select>
            <button class="button" data-testid="pending-mask-attach" on:click=attach
                disabled=move || choice.with(String::is_empty)>"Attach"</button>
            <button class="remove" aria-label=format!("Dismiss the mask {}", mask.name)
                on:click=move |_| state.images.pending_masks.update(|v| v.retain(|m| m.id != id))>"×"</button>
        </li>
    }
}
