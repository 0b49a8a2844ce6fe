//! Share links: the URL fragment follows the state (throttled `history.replaceState`), a link
//! opened (at start or by `hashchange`) restores parameters, overlay, image, display and view,
//! and "Copy link" copies the whole address.

use super::{
    context::{Copied, FailedLink, Links, current_hash, use_links},
    remote::open_source,
};
use crate::{
    app::{
        browser::yield_to_paint,
        learn::session::{set_cutoff, use_builtin},
        state::{AppState, PresetChoice, use_app_state},
    },
    view::{display::DisplaySettings, viewport::View},
    web::{
        demos::Demo,
        links::preset_of,
        share::{LinkModel, ShareState, Source},
    },
};
use leptos::{html, prelude::*, task::spawn_local};
use wasm_bindgen::{JsCast, prelude::*};
use wasm_bindgen_futures::JsFuture;

/// The URL is rewritten at most this often while the state changes (a slider drag).
const WRITE_EVERY_MS: i32 = 250;

/// Creates the links context, opens the link the page was opened with, follows `hashchange`
/// and keeps the URL in step with the state.
pub fn provide_links(state: AppState) -> Links {
    let links = Links::new();
    provide_context(links);
    Effect::new(move |_| {
        let share = share_state(state, links).0;
        if links.syncing.get() {
            links.wanted.set_value(share.to_fragment());
            schedule_write(links);
        }
    });
    // Another image selected: the URL follows it, no longer the link that failed.
    Effect::new(move |before: Option<Option<u64>>| {
        let selected = state.images.selected.get();
        if before.is_some_and(|b| b != selected) {
            links.failed.set(None);
        }
        selected
    });
    // `written` is what the address holds as far as the page knows: the link it was opened with,
    // then each fragment it writes or opens. An address that differs was changed by someone
    // else (the person, a pasted link), and the page opens it rather than overwrite it.
    let start = current_hash();
    links.written.set_value(start.clone());
    if start.trim().is_empty() {
        links.syncing.set(true);
    } else {
        open_link(state, links, &start);
    }
    let on_hash = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        let hash = current_hash();
        if hash != links.written.get_value() {
            links.written.set_value(hash.clone());
            open_link(state, links, &hash);
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
    }
    // The listener lives as long as the page.
    on_hash.forget();
    links
}

/// The built-in model that counts, for a link (tracked); a user's own model is not one.
fn link_model(state: AppState) -> Option<LinkModel> {
    state.counting.model.with(|m| {
        m.builtin_name().map(|name| LinkModel {
            name: name.to_string(),
            cutoff: m.cutoff,
        })
    })
}

/// Whether each image is counted with its own colour's preset (tracked).
fn is_auto(state: AppState) -> bool {
    matches!(state.counting.preset.get(), PresetChoice::Auto(_))
}

/// The state a link would carry now (tracked), and whether the shown image is a local file.
fn share_state(state: AppState, links: Links) -> (ShareState, bool) {
    let selected = state.images.selected.get();
    if let Some(failed) = links.failed.get().filter(|f| f.selected == selected) {
        let share = ShareState {
            params: state.counting.params.get(),
            view: failed.view,
            display: failed.display,
            overlay: state.viewer.overlay.get(),
            source: Some(failed.source),
            model: link_model(state),
            auto: is_auto(state),
        };
        return (share, false);
    }
    let source = selected.and_then(|id| links.sources.with(|s| s.get(&id).cloned()));
    let display = match (selected, &source) {
        (Some(id), Some(_)) => {
            let now = state.images.displays.with(|d| d.get(&id).copied());
            let initial = links.initial.with_value(|d| d.get(&id).copied());
            now.filter(|d| Some(*d) != initial).map(|d| d.to_text())
        }
        _ => None,
    };
    let share = ShareState {
        params: state.counting.params.get(),
        view: selected.map(|_| state.viewer.view.get()),
        display,
        overlay: state.viewer.overlay.get(),
        source: source.clone(),
        model: link_model(state),
        auto: is_auto(state),
    };
    (share, selected.is_some() && source.is_none())
}

fn schedule_write(links: Links) {
    if links.scheduled.get_value() {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let later = Closure::once_into_js(move || write_now(links));
    if window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            later.unchecked_ref(),
            WRITE_EVERY_MS,
        )
        .is_ok()
    {
        links.scheduled.set_value(true);
    } else {
        write_now(links);
    }
}

/// Writes the wanted fragment into the address bar (no history entry, no `hashchange`).
fn write_now(links: Links) {
    links.scheduled.set_value(false);
    let fragment = links.wanted.get_value();
    if fragment == links.written.get_value() {
        return;
    }
    // The address changed since the page last wrote it (a link pasted or typed while a write
    // was due): its `hashchange` opens it; writing now would replace it unseen.
    if current_hash() != links.written.get_value() {
        return;
    }
    let history = web_sys::window().and_then(|w| w.history().ok());
    if let Some(h) = history
        && h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("#{fragment}")))
            .is_ok()
    {
        // As the address holds it (the URL parser may percent-encode what was written).
        links.written.set_value(current_hash());
    }
}

/// Opens a link's fragment: parameters, overlay, then its image with its display and view.
/// Whatever is invalid takes its default and is listed in the notices.
pub fn open_link(state: AppState, links: Links, fragment: &str) {
    let (share, notices) = ShareState::from_fragment(fragment);
    links
        .notices
        .set(notices.into_iter().map(|n| n.message).collect());
    links.syncing.set(false);
    links.failed.set(None);
    links.epoch.update_value(|e| *e += 1);
    let epoch = links.epoch.get_value();
    if share.auto {
        // Each image with its own colour's preset; the panel shows the selected image's (and,
        // when the link opens an image, the one it selects).
        state.counting.preset.set(PresetChoice::Auto(None));
        state.choose_auto_preset();
    } else {
        state.counting.preset.set(match preset_of(&share.params) {
            Some(c) => PresetChoice::Fixed(c),
            None => PresetChoice::Custom,
        });
        state.counting.params.set(share.params.clone());
    }
    state.viewer.overlay.set(share.overlay);
    // A built-in model counts as the link says; without one in the link, a built-in model stops
    // counting (the user's own model keeps its switch).
    match &share.model {
        Some(m) => {
            use_builtin(state, Some(&m.name));
            if let Some(c) = m.cutoff {
                set_cutoff(state, c);
            }
        }
        None if state
            .counting
            .model
            .with_untracked(|m| m.builtin_name().is_some()) =>
        {
            use_builtin(state, None)
        }
        None => {}
    }
    state.recount_all();
    spawn_local(async move {
        let shown = match &share.source {
            Some(source) => open_source(state, links, source).await,
            None => state.images.selected.get_untracked(),
        };
        if links.epoch.get_value() != epoch {
            return;
        }
        if let Some(id) = shown {
            show(state, links, id, share.display.as_deref(), share.view).await;
        } else if let Some(source) = share.source {
            // Its reason is listed with the images; the URL keeps the link as it was.
            links.failed.set(Some(FailedLink {
                source,
                display: share.display,
                view: share.view,
                selected: state.images.selected.get_untracked(),
            }));
        }
        if links.epoch.get_value() == epoch {
            links.syncing.set(true);
        }
    });
}

/// Selects image `id` and, once the viewer has fitted it, applies a link's display and view.
async fn show(state: AppState, links: Links, id: u64, display: Option<&str>, view: Option<View>) {
    state.images.selected.set(Some(id));
    // The viewer fits a newly selected image once it has a size: let that happen first.
    for _ in 0..120 {
        let (vw, vh) = state.viewer.viewport.get_untracked();
        if vw >= 1.0 && vh >= 1.0 {
            break;
        }
        yield_to_paint().await;
    }
    yield_to_paint().await;
    if state.images.selected.get_untracked() != Some(id) {
        return;
    }
    if let Some(text) = display {
        let depth = state
            .images
            .slots
            .with_value(|s| s.get(&id).map(|slot| slot.image.bit_depth()));
        if let Some(depth) = depth {
            let (settings, notices) = DisplaySettings::from_text(text, depth);
            state.images.displays.update(|d| {
                d.insert(id, settings);
            });
            links.notices.update(|n| {
                n.extend(
                    notices
                        .into_iter()
                        .map(|x| format!("display: {}", x.message)),
                )
            });
        }
    }
    if let (Some(view), Some((w, h))) = (view, state.selected_size()) {
        state.viewer.view.set(view.clamped(w, h));
    }
}

/// Writes the current state into the URL now and copies the address.
async fn copy_link(state: AppState, links: Links) {
    // Its feedback shows where the Demos menu opens.
    links.demos_open.set(false);
    let (share, local) = untrack(|| share_state(state, links));
    links.wanted.set_value(share.to_fragment());
    write_now(links);
    let Some(window) = web_sys::window() else {
        return;
    };
    let url = window.location().href().unwrap_or_default();
    let navigator = window.navigator();
    // `navigator.clipboard` is missing outside secure contexts: check before calling it.
    let has_clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|c| c.is_object());
    let to_clipboard = has_clipboard
        && JsFuture::from(navigator.clipboard().write_text(&url))
            .await
            .is_ok();
    links.copied.set(Some(Copied {
        url,
        to_clipboard,
        local,
    }));
}

/// "Copy link" in the header, with what it did: copied, or the link in a field to copy by hand,
/// and the note that local files are not part of links.
#[component]
pub fn CopyLink() -> impl IntoView {
    let state = use_app_state();
    let links = use_links();
    let field = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let (Some(c), Some(input)) = (links.copied.get(), field.get())
            && !c.to_clipboard
        {
            input.set_value(&c.url);
            let _ = input.focus();
            input.select();
        }
    });
    view! {
        <div class="copy-link">
            <button class="button" type="button" data-testid="copy-link"
                title="Copy the address of this page with its parameters, view and image"
                on:click=move |_| spawn_local(copy_link(state, links))>"Copy link"</button>
            {move || links.copied.get().map(|c| view! {
                <div class="copy-feedback" role="status" data-testid="copy-status">
                    {if c.to_clipboard {
                        view! { <span>"Link copied."</span> }.into_any()
                    } else {
                        view! {
                            <label for="link-field">"Copy this link:"</label>
                            <input id="link-field" class="link-field" type="text" readonly
                                data-testid="link-field" node_ref=field value=c.url.clone() />
                        }.into_any()
                    }}
                    {c.local.then(|| view! {
                        <span class="small" data-testid="link-local-note">
                            "Local files are not part of links; the link holds the parameters only."
                        </span>
                    })}
                    <button class="button small-button" type="button" data-testid="copy-dismiss"
                        aria-label="Close" on:click=move |_| links.copied.set(None)>"×"</button>
                </div>
            })}
        </div>
    }
}

/// What was not taken as written in the link opened, as text.
#[component]
pub fn LinkNotices() -> impl IntoView {
    let links = use_links();
    move || {
        let notices = links.notices.get();
        (!notices.is_empty()).then(|| {
            view! {
                <section class="link-notices" role="alert" data-testid="link-notices">
                    <p>"Parts of this link could not be used; their defaults apply:"</p>
                    <ul>
                        {notices.into_iter().map(|n| view! { <li data-testid="link-notice">{n}</li> }).collect_view()}
                    </ul>
                    <button class="button small-button" type="button" data-testid="link-notices-dismiss"
                        on:click=move |_| links.notices.set(Vec::new())>"Dismiss"</button>
                </section>
            }
        })
    }
}

/// The address of a demo (its card's link): its id under *Auto*, with its own parameters
/// ([`Demo::params`], the preset Auto gives it) whatever the page had before, and the current
/// overlay. Images already open keep their own colours' presets.
pub fn demo_fragment(state: AppState, demo: &Demo) -> String {
    ShareState {
        params: demo.params(),
        auto: true,
        overlay: state.viewer.overlay.get(),
        source: Some(Source::Demo(demo.id.to_string())),
        ..ShareState::default()
    }
    .to_fragment()
}
