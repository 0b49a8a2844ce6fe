//! **Save project** and **Open project…**: all the work (each image and mask file as it was read,
//! the parameters, each image's display, calibration, regions and corrections) in one
//! `.fcproject` file (`count::project`), and back. A file is read and checked whole before
//! anything changes: one that does not read leaves the work as it was and says why.

use super::download;
use crate::{
    app::{
        browser::{file_from_bytes, read_bytes, take_picked, yield_to_paint},
        pool,
        state::{AppState, Decoded, PresetChoice, use_app_state},
    },
    count::{
        cellcounter::{CorrectionState, Corrections},
        presets::Collection,
        project::{self, Project, ProjectImage},
    },
    protocol::messages::Response,
    view::display::DisplaySettings,
};
use leptos::{ev, prelude::*, task::spawn_local};
use std::sync::Arc;

/// The project file's extension.
pub const EXTENSION: &str = ".fcproject";
/// The name *Save project* gives its file.
const FILE: &str = "fluocount.fcproject";

/// Whether a file's name says it is a project, for the drop zone.
pub fn is_project_file(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(EXTENSION)
}

/// The preset a project names; an unknown name is a hand-made one.
fn preset_choice(name: &str) -> PresetChoice {
    match name {
        "auto" => PresetChoice::Auto(None),
        n => Collection::ALL
            .into_iter()
            .find(|c| c.name() == n)
            .map_or(PresetChoice::Custom, PresetChoice::Fixed),
    }
}

/// The work as it is, without reading a file: the project with every image's and mask's bytes
/// empty, and the files to fill them from.
pub struct Snapshot {
    /// The project, bytes empty.
    pub project: Project,
    /// For each of its images: the image's id, its file and its mask's file.
    pub files: Vec<(u64, web_sys::File, Option<web_sys::File>)>,
    /// What cannot be kept, each named with the reason: a synthetic image has no file.
    pub left_out: Vec<String>,
}

/// The work as it is now (see [`Snapshot`]).
pub fn snapshot(state: AppState) -> Snapshot {
    let items = state.images.items.get_untracked();
    let mut images = Vec::new();
    let mut files = Vec::new();
    let mut left_out = Vec::new();
    for item in items.iter().filter(|i| i.status.is_ok()) {
        let (id, name) = (item.id, item.name.as_str());
        let Some(file) = state.images.files.with_value(|f| f.get(&id).cloned()) else {
            left_out.push(format!("{name}: its file is not kept (a synthetic image)"));
            continue;
        };
        let mut image = ProjectImage::new(name, Vec::new());
        let mut mask_file = None;
        if let Some(mask) = &item.mask {
            match state.images.mask_files.with_value(|f| f.get(mask).cloned()) {
                Some(f) => {
                    image.mask = Some((mask.clone(), Vec::new()));
                    mask_file = Some(f);
                }
                None => left_out.push(format!("{mask}, the mask of {name}: its file is not kept")),
            }
        }
        image.display = state
            .images
            .displays
            .with_untracked(|d| d.get(&id).map(DisplaySettings::to_text));
        image.calibration = state
            .images
            .calibrations
            .with_untracked(|c| c.get(&id).map(|c| c.calibration));
        image.rois = state
            .annotations
            .rois
            .with_untracked(|r| r.get(&id).cloned().unwrap_or_default());
        image.corrections = state
            .annotations
            .corrections
            .with_untracked(|c| c.get(&id).map(|c| c.state().clone()))
            .unwrap_or_default();
        images.push(image);
        files.push((id, file, mask_file));
    }
    Snapshot {
        project: Project {
            params: state.counting.params.get_untracked(),
            preset: state.counting.preset.get_untracked().value().to_string(),
            images,
        },
        files,
        left_out,
    }
}

/// The whole work as a project, or why it cannot be saved.
async fn gather(state: AppState) -> Result<Project, String> {
    let Snapshot {
        mut project,
        files,
        left_out,
    } = snapshot(state);
    if let Some(first) = left_out.into_iter().next() {
        return Err(first);
    }
    for (image, (_, file, mask_file)) in project.images.iter_mut().zip(files) {
        image.bytes = read_bytes(&file)
            .await
            .map_err(|e| format!("{}: {e}", image.name))?;
        if let (Some((name, bytes)), Some(file)) = (&mut image.mask, mask_file) {
            *bytes = read_bytes(&file)
                .await
                .map_err(|e| format!("{name}: {e}"))?;
        }
    }
    Ok(project)
}

/// Saves the whole work as [`FILE`].
async fn save(state: AppState) {
    let status = state.counting.status;
    status.set("Saving the project…".into());
    let written = match gather(state).await {
        Ok(p) => project::write(&p),
        Err(e) => Err(e),
    };
    match written.and_then(|bytes| download(FILE, &bytes, "application/zip")) {
        Ok(()) => status.set(format!("Saved {FILE}.")),
        Err(e) => status.set(format!("Could not save the project: {e}")),
    }
}

/// Opens the project in `file`: read and checked whole first; only then does it replace the
/// work. A file that does not read changes nothing, and the status line names it and the reason.
pub async fn open(state: AppState, file: web_sys::File) {
    let name = file.name();
    let status = state.counting.status;
    status.set(format!("Reading {name}…"));
    let project = match read_bytes(&file).await.and_then(|b| project::read(&b)) {
        Ok(p) => p,
        Err(e) => {
            status.set(format!("{name}: not opened, nothing changed: {e}"));
            return;
        }
    };
    let total = project.images.len();
    let (_, failed) = replace_work(state, project, &name, "from the project file").await;
    status.set(if failed.is_empty() {
        format!("Opened {name}: {total} image(s).")
    } else {
        format!("Opened {name}, but: {}", failed.join("; "))
    });
}

/// Replaces the work with `project`'s (every image removed, its parameters and preset applied,
/// its images added one by one, the status naming `source`, a calibration said to come
/// `calibrated`): the id each image got (`None` for
/// one that did not decode) and what failed, each with its reason.
pub async fn replace_work(
    state: AppState,
    project: Project,
    source: &str,
    calibrated: &'static str,
) -> (Vec<Option<u64>>, Vec<String>) {
    let status = state.counting.status;
    state.remove_all();
    state.apply_preset(preset_choice(&project.preset), project.params);
    let total = project.images.len();
    let mut failed = Vec::new();
    let mut added = Vec::with_capacity(total);
    for (k, image) in project.images.into_iter().enumerate() {
        status.set(format!("Opening {source}: image {} of {total}…", k + 1));
        state.loading.progress.set(Some((k, total)));
        yield_to_paint().await;
        let (id, error) = add(state, image, calibrated).await;
        added.push(id);
        failed.extend(error);
    }
    state.loading.progress.set(None);
    (added, failed)
}

/// Adds one image of a project through the workers, as a dropped file, then its mask, display,
/// calibration, regions and corrections.
async fn add(
    state: AppState,
    image: ProjectImage,
    calibrated: &'static str,
) -> (Option<u64>, Option<String>) {
    let mut added = None;
    let outcome = add_to(state, image, calibrated, &mut added).await;
    (added, outcome.err())
}

/// [`add`]'s work; `added` is the image's id once it is added.
async fn add_to(
    state: AppState,
    image: ProjectImage,
    calibrated: &'static str,
    added: &mut Option<u64>,
) -> Result<(), String> {
    let ProjectImage {
        name,
        bytes,
        mask,
        display,
        calibration,
        rois,
        corrections,
    } = image;
    let unexpected = || format!("{name}: the worker gave an unexpected answer");
    let id = state.images.new_id();
    let worker = pool::least_busy();
    let kept = file_from_bytes(&name, &bytes);
    let decoded = match pool::decode(worker, id, bytes, false).await {
        Ok(r @ Response::Image { .. }) => Decoded::of(r).ok_or_else(unexpected)?,
        Ok(Response::Failed(e)) | Err(e) => {
            state.add_error(name.clone(), e.clone());
            return Err(format!("{name}: {e}"));
        }
        Ok(_) => return Err(unexpected()),
    };
    let depth = decoded.image.bit_depth();
    let id = state.add_image(id, name.clone(), worker, decoded);
    *added = Some(id);
    if let Some(file) = kept {
        state.images.files.update_value(|f| {
            f.insert(id, file);
        });
    }
    if let Some(c) = calibration {
        state.set_calibration(id, c, calibrated);
    }
    if let Some(text) = display {
        let (settings, _) = DisplaySettings::from_text(&text, depth);
        state.images.displays.update(|d| {
            d.insert(id, settings);
        });
    }
    if !rois.is_empty() {
        state.annotations.rois.update(|r| {
            r.insert(id, rois);
        });
    }
    if corrections != CorrectionState::default() {
        state.annotations.corrections.update(|c| {
            c.insert(id, Corrections::from_state(corrections));
        });
    }
    let Some((mask_name, bytes)) = mask else {
        return Ok(());
    };
    let kept = file_from_bytes(&mask_name, &bytes);
    match pool::decode(worker, state.images.new_id(), bytes, true).await {
        Ok(Response::Mask(m)) => {
            state.attach_mask(id, mask_name.clone(), Arc::new(m))?;
            if let Some(file) = kept {
                state.images.mask_files.update_value(|f| {
                    f.insert(mask_name, file);
                });
            }
            Ok(())
        }
        Ok(Response::Failed(e)) | Err(e) => Err(format!("{mask_name}: ground-truth mask {e}")),
        Ok(_) => Err(unexpected()),
    }
}

/// The **Save project** and **Open project…** buttons.
#[component]
pub fn ProjectFiles() -> impl IntoView {
    let state = use_app_state();
    let empty = move || {
        state
            .images
            .items
            .with(|v| v.iter().all(|i| i.status.is_err()))
    };
    let on_open = move |e: ev::Event| {
        if let Some(file) = take_picked(&e).into_iter().next() {
            spawn_local(open(state, file));
        }
    };
    view! {
        <h3>"Project"</h3>
        <div class="row">
            <button class="button small-button" type="button" data-testid="save-project"
                title="Every image and mask with its parameters, display, calibration, regions and corrections, in one .fcproject file"
                disabled=empty
                on:click=move |_| spawn_local(save(state))>"Save project"</button>
            <label class="button small-button file-picker"
                title="A .fcproject file: replaces the current work once it has been read whole">
                "Open project…"
                <input type="file" accept=".fcproject" data-testid="open-project" on:change=on_open />
            </label>
        </div>
    }
}
