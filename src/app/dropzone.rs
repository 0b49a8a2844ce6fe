//! The page-wide drop target and the file picker.

use super::{
    batch::run::use_batch_state,
    browser::{files_of, take_picked},
    learn::{file, session::use_learning},
    results::{project, roi_files},
    state::use_app_state,
};
use crate::protocol::batch::is_image_name;
use leptos::{ev, prelude::*, task::spawn_local};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Wraps the page: files dropped anywhere on it are loaded into the viewer; a folder, or more
/// than [`VIEWER_DROP_LIMIT`] images, goes to the batch.
#[component]
pub fn DropZone(children: Children) -> impl IntoView {
    let state = use_app_state();
    let batch = use_batch_state();
    let learning = use_learning();
    let (dragging, set_dragging) = signal(false);
    let on_dragover = move |e: ev::DragEvent| {
        e.prevent_default();
        if let Some(dt) = e.data_transfer() {
            dt.set_drop_effect("copy");
        }
        set_dragging.set(true);
    };
    let on_dragleave = move |e: ev::DragEvent| {
        // Only leaving the window ends the drag, not moving between children.
        if e.related_target().is_none() {
            set_dragging.set(false);
        }
    };
    let on_drop = move |e: ev::DragEvent| {
        e.prevent_default();
        set_dragging.set(false);
        let Some(dt) = e.data_transfer() else {
            return;
        };
        let entries = dropped_entries(&dt);
        if entries.iter().any(|e| e.is_directory()) {
            spawn_local(async move {
                let files = walk(entries).await;
                batch.start(state, files);
            });
            return;
        }
        let (models, files): (Vec<_>, Vec<_>) = files_of(dt.files())
            .into_iter()
            .partition(|f| f.name().to_ascii_lowercase().ends_with(".fcmodel"));
        // A dropped model file is loaded as the Load model button would.
        for m in models {
            spawn_local(file::load(state, learning, m));
        }
        // A project file replaces the work (the first one, if several are dropped).
        let (projects, files): (Vec<_>, Vec<_>) = files
            .into_iter()
            .partition(|f| project::is_project_file(&f.name()));
        if let Some(p) = projects.into_iter().next() {
            spawn_local(project::open(state, p));
            return;
        }
        // ImageJ region files (.roi, RoiSet .zip) go to the selected image's regions.
        let (rois, files): (Vec<_>, Vec<_>) = files
            .into_iter()
            .partition(|f| roi_files::is_roi_file(&f.name()));
        if !rois.is_empty() {
            spawn_local(roi_files::import(state, rois));
        }
        if files.is_empty() {
            return;
        }
        if files.iter().filter(|f| is_image_name(&f.name())).count() > VIEWER_DROP_LIMIT {
            batch.start(state, files.into_iter().map(|f| (f.name(), f)).collect());
        } else {
            state.load_files(files);
        }
    };
    view! {
        <div
            class="app"
            class:dragging=dragging
            data-testid="dropzone"
            on:dragover=on_dragover
            on:dragleave=on_dragleave
            on:drop=on_drop
        >
            {children()}
            <div class="drop-hint" aria-hidden="true">"Drop images to count them"</div>
        </div>
    }
}

/// A button that opens the file chooser for one or more images.
#[component]
pub fn FilePicker() -> impl IntoView {
    let state = use_app_state();
    let on_change = move |e: ev::Event| state.load_files(take_picked(&e));
    view! {
        <label class="button primary file-picker">
            "Open images…"
            <input
                type="file"
                multiple
                accept="image/png,image/jpeg,image/tiff,.png,.jpg,.jpeg,.tif,.tiff"
                data-testid="file-input"
                on:change=on_change
            />
        </label>
    }
}

/// The entries of a drop, taken while the event runs (its items are gone afterwards).
fn dropped_entries(dt: &web_sys::DataTransfer) -> Vec<web_sys::FileSystemEntry> {
    let items = dt.items();
    (0..items.length())
        .filter_map(|i| items.get(i))
        .filter(|it| it.kind() == "file")
        .filter_map(|it| it.webkit_get_as_entry().ok().flatten())
        .collect()
}

async fn promised(
    start: impl FnOnce(&js_sys::Function, &js_sys::Function) -> Result<(), JsValue>,
) -> Result<JsValue, JsValue> {
    let mut started = Ok(());
    let mut start = Some(start);
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        if let Some(f) = start.take() {
            started = f(&resolve, &reject);
        }
    });
    started?;
    JsFuture::from(promise).await
}

/// Every file under the dropped entries, with its path inside the drop (`folder/sub/name.png`).
/// Unreadable entries are skipped: a folder drop reads what it can.
///
/// Entries are told apart by `isDirectory` / `isFile`, never by class: Chromium names them
/// `DirectoryEntry` and `FileEntry` and exposes neither these nor the standard
/// `FileSystemDirectoryEntry` / `FileSystemFileEntry` as globals, so a checked cast fails there.
/// The files of each batch of entries are asked for in groups ([`files_in_groups`]).
async fn walk(entries: Vec<web_sys::FileSystemEntry>) -> Vec<(String, web_sys::File)> {
    let (mut dirs, mut files) = (Vec::new(), Vec::new());
    for entry in entries {
        sort_entry(entry, &mut dirs, &mut files);
    }
    let mut out = files_of_entries(std::mem::take(&mut files)).await;
    while let Some(dir) = dirs.pop() {
        let reader = dir.create_reader();
        // readEntries gives at most about 100 entries a call; an empty batch ends the folder.
        loop {
            let batch =
                promised(|ok, err| reader.read_entries_with_callback_and_callback(ok, err)).await;
            let Ok(batch) = batch.map(|b| js_sys::Array::from(&b)) else {
                break;
            };
            if batch.length() == 0 {
                break;
            }
            for entry in batch.iter() {
                sort_entry(entry.unchecked_into(), &mut dirs, &mut files);
            }
            out.extend(files_of_entries(std::mem::take(&mut files)).await);
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Puts `entry` with the folders or the files (anything else is skipped).
fn sort_entry(
    entry: web_sys::FileSystemEntry,
    dirs: &mut Vec<web_sys::FileSystemDirectoryEntry>,
    files: &mut Vec<web_sys::FileSystemFileEntry>,
) {
    if entry.is_directory() {
        dirs.push(entry.unchecked_into());
    } else if entry.is_file() {
        files.push(entry.unchecked_into());
    }
}

/// The files of `entries` with their paths (see [`files_in_groups`]).
async fn files_of_entries(
    entries: Vec<web_sys::FileSystemFileEntry>,
) -> Vec<(String, web_sys::File)> {
    let items: Vec<(String, web_sys::FileSystemFileEntry)> = entries
        .into_iter()
        .map(|e| (e.full_path().trim_start_matches('/').to_string(), e))
        .collect();
    files_in_groups(&items, |entry, resolve| {
        entry.file_with_callback_and_callback(resolve, resolve);
    })
    .await
}

/// The files of `items` with their paths, asked for [`FILES_AT_ONCE`] at a time (each is a
/// round trip to the browser, and the browser handles the replies that have arrived in one
/// task): `ask(item, resolve)` starts one request, which calls `resolve` with the `File` or with
/// the error (then the item is skipped).
async fn files_in_groups<T>(
    items: &[(String, T)],
    ask: impl Fn(&T, &js_sys::Function),
) -> Vec<(String, web_sys::File)> {
    let mut out = Vec::new();
    for group in items.chunks(FILES_AT_ONCE) {
        let promises = js_sys::Array::new();
        for (_, item) in group {
            promises.push(&js_sys::Promise::new(&mut |resolve, _reject| {
                ask(item, &resolve)
            }));
        }
        let Ok(got) = JsFuture::from(js_sys::Promise::all(&promises)).await else {
            continue;
        };
        out.extend(
            group
                .iter()
                .zip(js_sys::Array::from(&got).iter())
                .filter_map(|((path, _), f)| {
                    f.dyn_into::<web_sys::File>()
                        .ok()
                        .map(|f| (path.clone(), f))
                }),
        );
    }
    out
}

/// `target[name]`, or `undefined`.
fn get(target: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(target, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Calls `target[name]()` and awaits what it returns.
async fn call_await(target: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = get(target, name).dyn_into()?;
    let out = f.call0(target)?;
    JsFuture::from(js_sys::Promise::resolve(&out)).await
}

/// Whether the browser has `showDirectoryPicker` (see [`pick_directory`]).
pub fn has_directory_picker() -> bool {
    web_sys::window().is_some_and(|w| get(&w.into(), "showDirectoryPicker").is_function())
}

/// Asks for a folder with the File System Access API's `showDirectoryPicker`, where the browser
/// has it (Chromium): `Ok(None)` when it has not (then the page uses its folder input),
/// `Ok(Some(()))` when the person closes the dialog or once the folder is walked (its files go to
/// `done`); `Err` says why the folder could not be opened.
///
/// Unlike a folder input, which has the browser build a list of every file in one task before
/// the page hears of it (137 ms for 566 files, over the 100 ms the page allows itself), the
/// handle is walked a few entries at a time.
/// JUSTIFICATION: e2e/batch-bench.mjs, the picked folder's longest main-thread task.
pub async fn pick_directory(
    done: impl FnOnce(Vec<(String, web_sys::File)>, Vec<String>),
) -> Result<Option<()>, String> {
    let Some(window) = web_sys::window().filter(|_| has_directory_picker()) else {
        return Ok(None);
    };
    match call_await(&window.into(), "showDirectoryPicker").await {
        Ok(handle) => {
            let (files, unread) = walk_handle(handle).await;
            done(files, unread);
            Ok(Some(()))
        }
        Err(err) => {
            let name = get(&err, "name").as_string().unwrap_or_default();
            if name == "AbortError" {
                return Ok(Some(()));
            }
            let message = get(&err, "message")
                .as_string()
                .unwrap_or_else(|| format!("{err:?}"));
            Err(format!(
                "The folder could not be opened ({name}: {message}); dropping it on the page \
                 counts it too"
            ))
        }
    }
}

/// Every file under a directory handle, with its path from the folder's name
/// (`folder/sub/name.png`, as a folder input gives them), and the folders that could not be
/// read to their end. Unreadable files are skipped; the files of a folder are asked for in groups
/// ([`files_in_groups`]).
async fn walk_handle(root: JsValue) -> (Vec<(String, web_sys::File)>, Vec<String>) {
    let name = get(&root, "name").as_string().unwrap_or_default();
    let mut dirs = vec![(name, root)];
    let (mut out, mut unread) = (Vec::new(), Vec::new());
    while let Some((path, dir)) = dirs.pop() {
        let Ok(iter) = get(&dir, "values")
            .dyn_into::<js_sys::Function>()
            .and_then(|f| f.call0(&dir))
        else {
            unread.push(path);
            continue;
        };
        let mut files = Vec::new();
        loop {
            let Ok(step) = call_await(&iter, "next").await else {
                unread.push(path.clone());
                break;
            };
            if get(&step, "done").as_bool() != Some(false) {
                break;
            }
            let handle = get(&step, "value");
            let child = match get(&handle, "name").as_string() {
                Some(n) if path.is_empty() => n,
                Some(n) => format!("{path}/{n}"),
                None => continue,
            };
            match get(&handle, "kind").as_string().as_deref() {
                Some("directory") => dirs.push((child, handle)),
                Some("file") => files.push((child, handle)),
                _ => {}
            }
        }
        out.extend(
            files_in_groups(&files, |handle, resolve| {
                let asked = get(handle, "getFile")
                    .dyn_into::<js_sys::Function>()
                    .and_then(|f| f.call0(handle))
                    .and_then(|p| {
                        let p: JsValue = js_sys::Promise::resolve(&p).into();
                        let then: js_sys::Function = get(&p, "then").dyn_into()?;
                        then.call2(&p, resolve, resolve)
                    });
                if let Err(e) = asked {
                    let _ = resolve.call1(&JsValue::NULL, &e);
                }
            })
            .await,
        );
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    (out, unread)
}

/// How many files are asked for at once (see [`files_in_groups`]).
const FILES_AT_ONCE: usize = 48;

/// More image files than this in one drop go to the batch instead of the viewer.
pub const VIEWER_DROP_LIMIT: usize = 24;
