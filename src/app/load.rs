//! Loading dropped or picked files one at a time, yielding to the browser in between: masks
//! among them are paired with their images (see [`pair`]) or wait for the user to choose one.

use super::{
    browser::{path_of, read_bytes, yield_to_paint},
    pool,
    state::{AppState, Decoded, ImageCalibration, PendingMask},
};
use crate::{
    count::pairing::{Role, file_name, pair},
    imaging::{
        BitMask,
        calibration::{Calibration, read as read_calibration},
    },
    protocol::messages::Response,
};
use leptos::{prelude::*, task::spawn_local};
use std::{cell::RefCell, collections::HashMap, sync::Arc};

/// A multi-page TIFF in the list: its file (to read another page from), its page count and the
/// page shown (1-based).
#[derive(Clone)]
struct Paged {
    file: web_sys::File,
    pages: u32,
    page: u32,
}

thread_local! {
    /// The multi-page TIFFs in the list, by image id.
    static PAGED: RefCell<HashMap<u64, Paged>> = RefCell::new(HashMap::new());
}

/// (pages, page shown) of image `id`, when it is a multi-page TIFF.
pub fn pages_of(id: u64) -> Option<(u32, u32)> {
    PAGED.with(|p| p.borrow().get(&id).map(|x| (x.pages, x.page)))
}

impl AppState {
    /// Reads, decodes and counts `files` one after another. Masks among them (by folder or
    /// name, see [`pair`]) are attached to their images — also to images loaded
    /// earlier — or wait for the user to choose an image.
    pub fn load_files(self, files: Vec<web_sys::File>) {
        if files.is_empty() {
            return;
        }
        spawn_local(async move {
            let paths: Vec<String> = files.iter().map(path_of).collect();
            // Images already loaded take part in the pairing, after the new files.
            let existing: Vec<(u64, String)> = self.images.items.with_untracked(|v| {
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
            let epoch = self.loading.epoch.get_value();
            let mut stopped = 0;
            for (done, k) in order.enumerate() {
                let file = &files[k];
                let name = file.name();
                self.counting
                    .status
                    .set(format!("Reading {name} ({} of {total})…", done + 1));
                self.loading.progress.set(Some((done, total)));
                yield_to_paint().await;
                if self.loading.epoch.get_value() != epoch {
                    stopped = total - done;
                    break;
                }
                let as_mask = pairing.roles[k] == Role::Mask;
                let id = self.images.new_id();
                let worker = pool::least_busy();
                let mut notes = Vec::new();
                let mut calibration = None;
                let mut pages = 1;
                let decoded = match read_bytes(file).await {
                    Ok(bytes) => {
                        notes = crate::imaging::decode::notes(&bytes);
                        pages = crate::imaging::decode::tiff_pages(&bytes).unwrap_or(1);
                        calibration = read_calibration(&bytes);
                        pool::decode(worker, id, bytes, as_mask).await
                    }
                    Err(reason) => Err(reason),
                };
                match decoded {
                    Ok(image @ Response::Image { .. }) => {
                        if let Some(decoded) = Decoded::of(image) {
                            let added = self.add_image(id, name, worker, decoded);
                            self.images.files.update_value(|f| {
                                f.insert(added, file.clone());
                            });
                            self.note_image(added, &notes);
                            if pages > 1 {
                                PAGED.with(|p| {
                                    p.borrow_mut().insert(
                                        added,
                                        Paged {
                                            file: file.clone(),
                                            pages,
                                            page: 1,
                                        },
                                    )
                                });
                            }
                            if let Some((c, source)) = calibration {
                                self.set_calibration(added, c, source.describe());
                            }
                            ids[k] = Some(added);
                        }
                    }
                    Ok(Response::Mask(mask)) => {
                        // Every image that takes it (one file in several formats shares a mask).
                        let targets: Vec<Option<u64>> = (0..pairing.mask_of.len())
                            .filter(|&i| pairing.mask_of[i] == Some(k))
                            .map(|i| ids[i])
                            .collect();
                        let mask = Arc::new(mask);
                        self.images.mask_files.update_value(|f| {
                            f.insert(name.clone(), file.clone());
                        });
                        if targets.is_empty() {
                            self.place_mask(name, mask, None);
                        } else {
                            for target in targets {
                                self.place_mask(name.clone(), Arc::clone(&mask), target);
                            }
                        }
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
            self.loading.progress.set(None);
            self.counting.status.set(if stopped > 0 {
                format!("Stopped loading: {stopped} of {total} files were not read.")
            } else {
                String::new()
            });
        });
    }

    /// Adds what the file holds beyond what is counted (a multi-page TIFF's later pages) to the
    /// image's description in the list.
    fn note_image(self, id: u64, notes: &[String]) {
        if notes.is_empty() {
            return;
        }
        self.images.items.update(|v| {
            if let Some(Ok(description)) = v.iter_mut().find(|i| i.id == id).map(|i| &mut i.status)
            {
                for n in notes {
                    description.push_str(" · ");
                    description.push_str(n);
                }
            }
        });
    }

    /// Calibrates image `id` (`from` says where the calibration came from); the tables, the
    /// exports and the scale bar follow it.
    pub fn set_calibration(self, id: u64, calibration: Calibration, from: &'static str) {
        self.images.calibrations.update(|c| {
            c.insert(id, ImageCalibration { calibration, from });
        });
    }

    /// Takes image `id` back to pixels.
    pub fn clear_calibration(self, id: u64) {
        self.images.calibrations.update(|c| {
            c.remove(&id);
        });
    }

    /// Shows and counts page `page` (1-based) of the multi-page TIFF `id` instead of the page it
    /// shows: the file is read again, that page decoded in a worker, and it takes the image's
    /// place in the list (its corrections and regions were of the other page, and go with it).
    /// A page that cannot be read is said in the status line, and the page shown stays.
    pub fn show_page(self, id: u64, page: u32) {
        let Some(paged) = PAGED.with(|p| p.borrow().get(&id).cloned()) else {
            return;
        };
        let Some(name) = self
            .images
            .items
            .with_untracked(|v| v.iter().find(|i| i.id == id).map(|i| i.name.clone()))
        else {
            return;
        };
        spawn_local(async move {
            let fail = |reason: String| {
                self.counting
                    .status
                    .set(format!("{name}: page {page} could not be read: {reason}"))
            };
            let bytes = match read_bytes(&paged.file).await {
                Ok(b) => b,
                Err(e) => return fail(e),
            };
            let bytes = match crate::imaging::decode::tiff_page(&bytes, page) {
                Ok(b) => b,
                Err(e) => return fail(e),
            };
            let calibration = read_calibration(&bytes);
            let new_id = self.images.new_id();
            let worker = pool::least_busy();
            match pool::decode(worker, new_id, bytes, false).await {
                Ok(image @ Response::Image { .. }) => {
                    let Some(decoded) = Decoded::of(image) else {
                        return fail("the worker gave no image".into());
                    };
                    let added = self.add_image(new_id, name.clone(), worker, decoded);
                    self.note_image(
                        added,
                        &[format!("page {page} of {} is counted", paged.pages)],
                    );
                    if let Some((c, source)) = calibration {
                        self.set_calibration(added, c, source.describe());
                    }
                    PAGED.with(|p| {
                        let mut p = p.borrow_mut();
                        p.remove(&id);
                        p.insert(added, Paged { page, ..paged });
                    });
                    self.remove(id);
                    self.images.selected.set(Some(added));
                }
                Ok(Response::Failed(reason)) | Err(reason) => fail(reason),
                Ok(_) => fail("the worker gave an unexpected answer".into()),
            }
        });
    }

    /// Stops every load in progress at its next file (the files read so far stay).
    pub fn cancel_loading(self) {
        self.loading.epoch.update_value(|e| *e += 1);
    }

    /// Stops any loading and removes every image, mask waiting for an image and mask file kept:
    /// an empty list, before a project or the kept work replaces it, or a fresh start.
    pub fn remove_all(self) {
        self.cancel_loading();
        let ids: Vec<u64> = self
            .images
            .items
            .with_untracked(|v| v.iter().map(|i| i.id).collect());
        for id in ids {
            self.remove(id);
        }
        self.images.pending_masks.set(Vec::new());
        self.images.mask_files.update_value(|f| f.clear());
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
                let id = self.images.new_id();
                let name = file_name(&name).to_string();
                self.images
                    .pending_masks
                    .update(|v| v.push(PendingMask { id, name, mask }));
            }
        }
    }
}
