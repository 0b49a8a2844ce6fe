//! Long work done one image at a time, yielding to the browser in between: loading dropped or
//! picked files, and recounting every image after a parameter change.

use super::state::AppState;
use crate::core::{DecodeLimits, Params, decode, render::display_rgba};
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Files larger than this are refused before reading.
pub const MAX_FILE_BYTES: f64 = 512.0 * 1024.0 * 1024.0;

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

/// The files of a `FileList`.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}

async fn read_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let size = file.size();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "too large: the file has {:.0} MiB, the limit is 512 MiB",
            size / 1024.0 / 1024.0
        ));
    }
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("could not be read ({})", js_message(&e)))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown browser error".into())
}

impl AppState {
    /// Reads, decodes and counts `files` one after another.
    pub fn load_files(self, files: Vec<web_sys::File>) {
        if files.is_empty() {
            return;
        }
        spawn_local(async move {
            let total = files.len();
            for (i, file) in files.into_iter().enumerate() {
                let name = file.name();
                self.status
                    .set(format!("Reading {name} ({} of {total})…", i + 1));
                yield_to_browser().await;
                let decoded = match read_bytes(&file).await {
                    Ok(bytes) => {
                        decode(&bytes, &DecodeLimits::default()).map_err(|e| e.to_string())
                    }
                    Err(reason) => Err(reason),
                };
                match decoded {
                    Ok(image) => {
                        let base = display_rgba(&image);
                        self.add_image(name, image, base);
                    }
                    Err(reason) => self.add_error(name, reason),
                }
            }
            self.status.set(String::new());
        });
    }

    /// Changes the parameters and recounts every image.
    pub fn set_params(self, change: impl FnOnce(&mut Params)) {
        self.params.update(change);
        self.recount_all();
    }

    /// Recounts the selected image, then the others, each after a yield; a newer call stops it.
    pub fn recount_all(self) {
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        let selected = self.selected.get_untracked();
        let mut order: Vec<u64> = self.slots.with_value(|s| s.keys().copied().collect());
        order.sort_by_key(|&id| (Some(id) != selected, id));
        spawn_local(async move {
            for id in order {
                // The yield also merges a burst of slider events into one count.
                yield_to_browser().await;
                if self.generation.get_value() != generation {
                    return;
                }
                self.count(id, &self.params.get_untracked());
            }
        });
    }
}
