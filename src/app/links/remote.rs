//! Opening the image a link names: a demo from the site itself, a synthetic image made in a
//! worker, or a remote image fetched from the address a person gave (the only request the page
//! makes beyond its own files); and where the shown image came from.

use super::context::{Links, use_links};
use crate::app::{
    browser::{file_from_bytes, js_message},
    pool,
    state::{AppState, Decoded, use_app_state},
};
use crate::{
    protocol::messages::{Request, Response},
    web::{
        demos::{DemoKind, find},
        links::{FetchFailure, check_length, check_read, source_name, synth_name},
        remote::check_image_url,
        share::Source,
    },
};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Fetches `url` (same origin or CORS) and reads its body, with the 512 MiB cap.
async fn fetch_bytes(url: &str) -> Result<Vec<u8>, FetchFailure> {
    let window = web_sys::window().ok_or(FetchFailure::CrossOrigin)?;
    let init = web_sys::RequestInit::new();
    init.set_mode(web_sys::RequestMode::Cors);
    // A CORS failure and an unreachable server both reject with a TypeError.
    let response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| FetchFailure::CrossOrigin)?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| FetchFailure::Read("not a response".into()))?;
    if !response.ok() {
        return Err(FetchFailure::Http {
            status: response.status(),
            text: response.status_text(),
        });
    }
    let length = response.headers().get("content-length").ok().flatten();
    check_length(length.as_deref())?;
    let buffer = response
        .array_buffer()
        .map_err(|e| FetchFailure::Read(js_message(&e)))?;
    let buffer = JsFuture::from(buffer)
        .await
        .map_err(|e| FetchFailure::Read(js_message(&e)))?;
    let bytes = js_sys::Uint8Array::new(&buffer);
    check_read(u64::from(bytes.length()))?;
    Ok(bytes.to_vec())
}

/// A path of the site (e.g. `fluocells/…`) as an absolute address, under the page's base.
fn site_url(path: &str) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let base = document.base_uri().ok().flatten()?;
    web_sys::Url::new_with_base(path, &base)
        .ok()
        .map(|u| u.href())
}

/// Decodes `bytes` in a worker and adds the image as `name`; `Err` is the decoder's reason.
async fn add_decoded(
    state: AppState,
    links: Links,
    source: &Source,
    name: String,
    bytes: Vec<u8>,
) -> Result<u64, String> {
    let id = state.images.new_id();
    let worker = pool::least_busy();
    // Kept for *Save project*, as a dropped file is; its pixel size read as a dropped file's.
    let kept = file_from_bytes(&name, &bytes);
    let calibration = crate::imaging::calibration::read(&bytes);
    let response = pool::decode(worker, id, bytes, false).await;
    let added = add_answer(state, links, source, (id, name, worker), response);
    if let Ok(id) = &added {
        if let Some(file) = kept {
            state.images.files.update_value(|f| {
                f.insert(*id, file);
            });
        }
        if let Some((c, from)) = calibration {
            state.set_calibration(*id, c, from.describe());
        }
    }
    added
}

/// Adds the image a worker sent back for request `id`, or gives its reason.
fn add_answer(
    state: AppState,
    links: Links,
    source: &Source,
    (id, name, worker): (u64, String, usize),
    response: Result<Response, String>,
) -> Result<u64, String> {
    match response {
        Ok(image @ Response::Image { .. }) => match Decoded::of(image) {
            Some(decoded) => Ok(add(state, links, source, (id, name, worker), decoded)),
            None => Err("the worker gave an unexpected answer".into()),
        },
        Ok(Response::Failed(reason)) | Err(reason) => Err(reason),
        Ok(_) => Err("the worker gave an unexpected answer".into()),
    }
}

fn add(
    state: AppState,
    links: Links,
    source: &Source,
    (id, name, worker): (u64, String, usize),
    decoded: Decoded,
) -> u64 {
    links.sources.update(|s| {
        s.insert(id, source.clone());
    });
    state.add_image(id, name, worker, decoded);
    let display = state
        .images
        .displays
        .with_untracked(|d| d.get(&id).copied());
    if let Some(display) = display {
        links.initial.update_value(|d| {
            d.insert(id, display);
        });
    }
    id
}

/// Fetches and attaches a demo's mask.
async fn add_mask(state: AppState, id: u64, path: &str) -> Result<(), String> {
    let url = site_url(path).ok_or("the page's address is unknown")?;
    let name = path.rsplit('/').next().unwrap_or(path).to_string();
    let bytes = fetch_bytes(&url).await.map_err(|f| f.message(&url))?;
    // Kept with the work (and in *Save project*), as a dropped mask's file is.
    let kept = file_from_bytes(&name, &bytes);
    match pool::decode(pool::least_busy(), state.images.new_id(), bytes, true).await {
        Ok(Response::Mask(mask)) => {
            state.attach_mask(id, name.clone(), Arc::new(mask))?;
            if let Some(file) = kept {
                state.images.mask_files.update_value(|f| {
                    f.insert(name, file);
                });
            }
            Ok(())
        }
        Ok(Response::Failed(reason)) | Err(reason) => Err(format!("ground-truth mask {reason}")),
        Ok(_) => Err("the worker gave an unexpected answer".into()),
    }
}

async fn load(state: AppState, links: Links, source: &Source) -> Result<u64, String> {
    match source {
        Source::Demo(demo_id) => {
            let demo = find(demo_id).ok_or("there is no such demo")?;
            match demo.kind {
                DemoKind::Real { image, mask, .. } => {
                    let url = site_url(image).ok_or("the page's address is unknown")?;
                    let bytes = fetch_bytes(&url).await.map_err(|f| f.message(&url))?;
                    let id = add_decoded(state, links, source, source_name(source), bytes).await?;
                    if let Some(mask) = mask
                        && let Err(reason) = add_mask(state, id, mask).await
                    {
                        state.add_error(format!("{} mask", source_name(source)), reason);
                    }
                    Ok(id)
                }
                DemoKind::Synth(spec) => {
                    let name = format!("{} ({})", source_name(source), synth_name(&spec));
                    synth(state, links, source, name, spec.params()).await
                }
            }
        }
        Source::Synth(spec) => {
            synth(state, links, source, source_name(source), spec.params()).await
        }
        Source::Remote(url) => {
            check_image_url(url).map_err(|why| FetchFailure::Refused(why).message(url))?;
            links.fetching.set(Some(url.clone()));
            state
                .counting
                .status
                .set(format!("Fetching image from {url}…"));
            let fetched = fetch_bytes(url).await;
            links.fetching.set(None);
            state.counting.status.set(String::new());
            let bytes = fetched.map_err(|f| f.message(url))?;
            add_decoded(state, links, source, source_name(source), bytes)
                .await
                .map_err(|why| FetchFailure::NotImage(why).message(url))
        }
    }
}

async fn synth(
    state: AppState,
    links: Links,
    source: &Source,
    name: String,
    params: crate::count::synth::SynthParams,
) -> Result<u64, String> {
    let id = state.images.new_id();
    let worker = pool::least_busy();
    state.counting.status.set(format!("Making {name}…"));
    let response = pool::call(worker, &Request::Synth { id, params }).await;
    state.counting.status.set(String::new());
    add_answer(state, links, source, (id, name, worker), response)
}

/// Opens `source` (or finds it among the images already loaded); the image's id, or `None`
/// after the reason was listed with the images.
pub async fn open_source(state: AppState, links: Links, source: &Source) -> Option<u64> {
    let loaded = links.sources.with_untracked(|s| {
        s.iter()
            .find(|(_, v)| *v == source)
            .map(|(id, _)| *id)
            .filter(|id| state.images.slots.with_value(|s| s.contains_key(id)))
    });
    if loaded.is_some() {
        return loaded;
    }
    match load(state, links, source).await {
        Ok(id) => Some(id),
        Err(reason) => {
            let name = match source {
                Source::Remote(url) => format!("image from {}", crate::web::links::host_of(url)),
                _ => source_name(source),
            };
            state.add_error(name, reason);
            None
        }
    }
}

/// Where the shown image comes from, when a link or the gallery opened it.
#[component]
pub fn ImageSource() -> impl IntoView {
    let state = use_app_state();
    let links = use_links();
    let text = move || {
        if let Some(url) = links.fetching.get() {
            return Some(format!("Fetching image from {url}…"));
        }
        let id = state.images.selected.get()?;
        match links.sources.with(|s| s.get(&id).cloned())? {
            Source::Remote(url) => Some(format!("Image from {url}")),
            source => Some(format!("Shown: {}", source_name(&source))),
        }
    };
    view! { <p class="image-source small" data-testid="image-source">{text}</p> }
}
