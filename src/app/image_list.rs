//! The list of loaded images and of files that could not be read.

use super::state::{Item, use_app_state};
use leptos::prelude::*;

/// Loaded images with their counts (click to view), then the files that failed.
#[component]
pub fn ImageList() -> impl IntoView {
    let state = use_app_state();
    let images = move || {
        state.items.with(|v| {
            v.iter()
                .filter(|i| i.status.is_ok())
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let errors = move || {
        state.items.with(|v| {
            v.iter()
                .filter(|i| i.status.is_err())
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let empty = move || state.items.with(Vec::is_empty);
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
            .outcomes
            .with(|o| o.get(&id).map(|o| o.analysis.count().to_string()))
    };
    let selected = move || state.selected.get() == Some(id);
    let description = item.status.clone().unwrap_or_default();
    let remove_label = format!("Remove {}", item.name);
    view! {
        <li class="image-item" class:selected=selected data-testid="image-item" data-count=count>
            <button
                class="select"
                aria-pressed=move || selected().to_string()
                on:click=move |_| state.selected.set(Some(id))
            >
                <span class="name" title=item.name.clone()>{item.name.clone()}</span>
                <span class="desc">{description}</span>
                <span class="item-count">
                    {move || count().unwrap_or_else(|| "…".into())}
                    " cells"
                </span>
            </button>
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
