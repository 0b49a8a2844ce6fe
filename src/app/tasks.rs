//! Long work done one image at a time, yielding to the browser in between: loading dropped or
//! picked files, and recounting every image after a parameter change.

use super::{
    pool,
    state::{AppState, PendingMask},
};
use crate::{
    count::{
        Params,
        pairing::{Role, file_name, pair},
    },
    imaging::BitMask,
    protocol::{
        batch::too_large,
        messages::{Request, Response},
    },
};
use leptos::{prelude::*, task::spawn_local};
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Lets the browser paint and handle input: resolves on the next `setTimeout(0)`.
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let scheduled = web_sys::window().is_some_and(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
                .is_ok()
        });
        if !scheduled {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Lets the browser paint a frame (the progress bar) and handle input: resolves on the
/// `setTimeout(0)` after the next animation frame.
pub async fn yield_to_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let scheduled =
            web_sys::window().is_some_and(|w| w.request_animation_frame(&resolve).is_ok());
        if !scheduled {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
    yield_to_browser().await;
}

/// The files of a `FileList`.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}

/// A file's path within a picked folder (`webkitRelativePath`, not in web-sys), else its name.
pub fn path_of(f: &web_sys::File) -> String {
    let rel = js_sys::Reflect::get(f, &JsValue::from_str("webkitRelativePath"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    if rel.is_empty() { f.name() } else { rel }
}

/// The files picked in the file input that fired `e`, clearing the input so the same file can be
/// picked again.
pub fn take_picked(e: &leptos::ev::Event) -> Vec<web_sys::File> {
    let Some(input) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return Vec::new();
    };
    let files = files_of(input.files());
    input.set_value("");
    files
}

/// Reads a file's bytes (at most [`MAX_FILE_BYTES`](crate::protocol::batch::MAX_FILE_BYTES)).
pub async fn read_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    if let Some(reason) = too_large(file.size()) {
        return Err(reason);
    }
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("could not be read ({})", js_message(&e)))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Reads a text file of at most `limit` bytes (invalid UTF-8 is replaced, not refused).
pub async fn read_text(file: &web_sys::File, limit: usize) -> Result<String, String> {
    if file.size() > limit as f64 {
        return Err(format!(
            "too large for a text file: {:.0} KiB, the limit is {} KiB",
            file.size() / 1024.0,
            limit / 1024
        ));
    }
    let bytes = read_bytes(file).await?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown browser error".into())
}

impl AppState {
    /// Reads, decodes and counts `files` one after another. Masks among them (by folder or
    /// name, see `core::pairing`) are attached to their images — also to images loaded
    /// earlier — or wait for the user to choose an image.
    pub fn load_files(self, files: Vec<web_sys::File>) {
        if files.is_empty() {
            return;
        }
        spawn_local(async move {
            let paths: Vec<String> = files.iter().map(path_of).collect();
            // Images already loaded take part in the pairing, after the new files.
            let existing: Vec<(u64, String)> = self.items.with_untracked(|v| {
                v.iter()
                    .filter(|i| i.status.is_ok())
                    .map(|i| (i.id, i.name.clone()))
                    .collect()
            });
            let mut names = paths.clone();
            names.extend(existing.iter().map(|(_, n)| n.clone()));
            let pairing = pair(&names);
            let mut ids: Vec<Option<u64>> = vec![None; paths.len()];
            ids.extend(existing.iter().map(|(id, _)| Some(*id)));
            let total = files.len();
            let order = (0..total)
                .filter(|&k| pairing.roles[k] == Role::Image)
                .chain((0..total).filter(|&k| pairing.roles[k] == Role::Mask));
            let epoch = self.load_epoch.get_value();
            let mut stopped = 0;
            for (done, k) in order.enumerate() {
                let file = &files[k];
                let name = file.name();
                self.status
                    .set(format!("Reading {name} ({} of {total})…", done + 1));
                self.loading.set(Some((done, total)));
                yield_to_paint().await;
                if self.load_epoch.get_value() != epoch {
                    stopped = total - done;
                    break;
                }
                let as_mask = pairing.roles[k] == Role::Mask;
                let id = self.new_id();
                let worker = pool::least_busy();
                let decoded = match read_bytes(file).await {
                    Ok(bytes) => {
                        let request = Request::Decode {
                            id,
                            bytes,
                            as_mask,
                            keep: !as_mask,
                        };
                        pool::call(worker, &request).await
                    }
                    Err(reason) => Err(reason),
                };
                match decoded {
                    Ok(Response::Image { image, truth }) => {
                        let truth = truth.map(Arc::new);
                        ids[k] = Some(self.add_image(id, name, image, worker, truth));
                    }
                    Ok(Response::Mask(mask)) => {
                        let target = pairing.image_of[k].and_then(|i| ids[i]);
                        self.place_mask(name, Arc::new(mask), target);
                    }
                    Ok(Response::Failed(reason)) | Err(reason) => {
                        if as_mask {
                            self.add_error(name, format!("ground-truth mask {reason}"))
                        } else {
                            self.add_error(name, reason)
                        }
                    }
                    Ok(_) => self.add_error(name, "the worker gave an unexpected answer".into()),
                }
            }
            self.loading.set(None);
            self.status.set(if stopped > 0 {
                format!("Stopped loading: {stopped} of {total} files were not read.")
            } else {
                String::new()
            });
        });
    }

    /// Stops every load in progress at its next file (the files read so far stay).
    pub fn cancel_loading(self) {
        self.load_epoch.update_value(|e| *e += 1);
    }

    /// Attaches a mask to its image, or keeps it for the user to choose one.
    fn place_mask(self, name: String, mask: Arc<BitMask>, target: Option<u64>) {
        match target {
            Some(id) => {
                if let Err(reason) = self.attach_mask(id, name.clone(), mask) {
                    self.add_error(name, reason);
                }
            }
            None => {
                let id = self.new_id();
                let name = file_name(&name).to_string();
                self.pending_masks
                    .update(|v| v.push(PendingMask { id, name, mask }));
            }
        }
    }

    /// Changes the parameters and recounts every image.
    pub fn set_params(self, change: impl FnOnce(&mut Params)) {
        self.params.update(change);
        self.preset.set(super::state::PresetChoice::Custom);
        self.recount_all();
    }

    /// Recounts the selected image, then the others (each in its worker; see
    /// [`AppState::request_count`]); an image whose latest count was made with what it would be
    /// counted with now (under *Auto*, when only the selection changed) is left as it is.
    pub fn recount_all(self) {
        let selected = self.selected.get_untracked();
        let mut order: Vec<u64> = self.slots.with_value(|s| s.keys().copied().collect());
        order.sort_by_key(|&id| (Some(id) != selected, id));
        for id in order {
            let running = self.counting.with_value(|c| c.contains_key(&id));
            if running || !self.is_current(id) {
                self.request_count(id);
            }
        }
    }
}
