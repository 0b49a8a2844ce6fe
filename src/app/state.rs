//! The app's state, shared through context: parameters, loaded images and their counts.

pub use crate::core::overlay::{LayerSetting, Overlay};

use super::display_panel::initial_display;
use crate::core::{
    Analysis, BitMask, Image, Params,
    cellcounter::Corrections,
    clock::now_ms,
    display::DisplaySettings,
    pipeline::{Prepared, analyze_prepared, prepare, prepared_matches},
    presets::{Collection, detect_collection},
    roi::Roi,
    scoring::{ImageScore, Pooled, ScoreOptions, score},
    viewport::View,
};
use leptos::prelude::*;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// One entry of the image list: a decoded image or a file that could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Unique id.
    pub id: u64,
    /// File name.
    pub name: String,
    /// `Ok(description)` of the decoded image, or `Err(reason)`.
    pub status: Result<String, String>,
    /// The file name of its ground-truth mask, if one is attached.
    pub mask: Option<String>,
}

/// A mask that could not be paired with an image by name; the user picks the image.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingMask {
    /// Unique id.
    pub id: u64,
    /// File name.
    pub name: String,
    /// The mask.
    pub mask: Arc<BitMask>,
}

/// The heavy, non-reactive data of a decoded image.
pub struct Slot {
    /// The decoded image.
    pub image: Arc<Image>,
    /// The channel and smoothing, with the parameters they were made with.
    pub prepared: Option<(Params, Arc<Prepared>)>,
    /// The ground-truth mask, when one is attached.
    pub truth: Option<Arc<BitMask>>,
    /// The last composite display picture with its settings.
    pub display: Mutex<Option<(DisplaySettings, Arc<Vec<u8>>)>>,
}

/// The latest count of one image.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The analysis.
    pub analysis: Arc<Analysis>,
    /// Wall time this count took in the browser, in milliseconds.
    pub ms: f64,
    /// The score against the image's mask, when it has one.
    pub score: Option<Arc<ImageScore>>,
}

/// What a click in the image does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// Look: drag pans, hover reads pixels.
    Inspect,
    /// Cell Counter: a click adds a marker of the current type.
    Add,
    /// A click removes the detected object (or the marker) under it, or restores a removed one.
    Remove,
    /// Drag a rectangle region.
    Rectangle,
    /// Click polygon vertices; double-click, Enter or a click on the first vertex closes it.
    Polygon,
}

impl Tool {
    /// Every tool, in toolbar order.
    pub const ALL: [Tool; 5] = [
        Tool::Inspect,
        Tool::Add,
        Tool::Remove,
        Tool::Rectangle,
        Tool::Polygon,
    ];

    /// Name, for buttons and test ids.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Inspect => "inspect",
            Tool::Add => "add",
            Tool::Remove => "remove",
            Tool::Rectangle => "rectangle",
            Tool::Polygon => "polygon",
        }
    }

    /// Button text.
    pub fn label(self) -> &'static str {
        match self {
            Tool::Inspect => "Pan",
            Tool::Add => "Add cell",
            Tool::Remove => "Remove",
            Tool::Rectangle => "Rectangle ROI",
            Tool::Polygon => "Polygon ROI",
        }
    }

    /// Keyboard shortcut.
    pub fn key(self) -> char {
        match self {
            Tool::Inspect => 'v',
            Tool::Add => 'a',
            Tool::Remove => 'x',
            Tool::Rectangle => 'r',
            Tool::Polygon => 'p',
        }
    }
}

/// What is under the pointer.
#[derive(Clone, Debug, PartialEq)]
pub struct Readout {
    /// Pixel x.
    pub x: u32,
    /// Pixel y.
    pub y: u32,
    /// The raw samples, in the image's own depth.
    pub values: Vec<u16>,
    /// The object there, if any.
    pub object: Option<u32>,
}

/// Where the parameters come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresetChoice {
    /// The preset of the collection detected from the selected image's colour (once detected).
    Auto(Option<Collection>),
    /// A collection's preset.
    Fixed(Collection),
    /// Edited by hand.
    Custom,
}

impl PresetChoice {
    /// The value of the preset menu.
    pub fn value(self) -> &'static str {
        match self {
            PresetChoice::Auto(_) => "auto",
            PresetChoice::Fixed(c) => c.name(),
            PresetChoice::Custom => "custom",
        }
    }
}

/// Everything the components share.
#[derive(Clone, Copy)]
pub struct AppState {
    /// Analysis parameters.
    pub params: RwSignal<Params>,
    /// Where the parameters come from.
    pub preset: RwSignal<PresetChoice>,
    /// Overlay switches.
    pub overlay: RwSignal<Overlay>,
    /// The image list, in load order.
    pub items: RwSignal<Vec<Item>>,
    /// Latest count per image id.
    pub outcomes: RwSignal<HashMap<u64, Outcome>>,
    /// The image shown.
    pub selected: RwSignal<Option<u64>>,
    /// What the app is busy with, if anything.
    pub status: RwSignal<String>,
    /// Decoded images by id.
    pub slots: StoredValue<HashMap<u64, Slot>>,
    /// Bumped by every parameter change; a recount of an older generation stops.
    pub generation: StoredValue<u64>,
    /// The next item id.
    pub next_id: StoredValue<u64>,
    /// The scoring protocol's settings (the matching distance).
    pub scoring: RwSignal<ScoreOptions>,
    /// Masks waiting for the user to choose their image.
    pub pending_masks: RwSignal<Vec<PendingMask>>,
    /// The viewer's zoom and centre.
    pub view: RwSignal<View>,
    /// The viewer's size in CSS pixels.
    pub viewport: RwSignal<(f64, f64)>,
    /// The viewer's tool.
    pub tool: RwSignal<Tool>,
    /// The object under the pointer or hovered in the table.
    pub hovered: RwSignal<Option<u32>>,
    /// The object chosen in the table (outlined until another is chosen).
    pub chosen: RwSignal<Option<u32>>,
    /// What is under the pointer.
    pub readout: RwSignal<Option<Readout>>,
    /// The shortcut help is open.
    pub help: RwSignal<bool>,
    /// Display settings per image id.
    pub displays: RwSignal<HashMap<u64, DisplaySettings>>,
    /// Manual corrections per image id.
    pub corrections: RwSignal<HashMap<u64, Corrections>>,
    /// Regions of interest per image id.
    pub rois: RwSignal<HashMap<u64, Vec<Roi>>>,
    /// The marker type the add tool places.
    pub marker_type: RwSignal<u32>,
    /// The region being drawn, in image coordinates.
    pub draft: RwSignal<Vec<(f64, f64)>>,
    /// Files read so far and in all, while files are loading.
    pub loading: RwSignal<Option<(usize, usize)>>,
    /// Bumped by "Cancel": loads started before stop at their next file.
    pub load_epoch: StoredValue<u64>,
}

/// Creates the app state and provides it as context.
pub fn provide_app_state() -> AppState {
    let state = AppState {
        params: RwSignal::new(Params::default()),
        preset: RwSignal::new(PresetChoice::Auto(None)),
        overlay: RwSignal::new(Overlay::default()),
        items: RwSignal::new(Vec::new()),
        outcomes: RwSignal::new(HashMap::new()),
        selected: RwSignal::new(None),
        status: RwSignal::new(String::new()),
        slots: StoredValue::new(HashMap::new()),
        generation: StoredValue::new(0),
        next_id: StoredValue::new(1),
        scoring: RwSignal::new(ScoreOptions::default()),
        pending_masks: RwSignal::new(Vec::new()),
        view: RwSignal::new(View::default()),
        viewport: RwSignal::new((0.0, 0.0)),
        tool: RwSignal::new(Tool::Inspect),
        hovered: RwSignal::new(None),
        chosen: RwSignal::new(None),
        readout: RwSignal::new(None),
        help: RwSignal::new(false),
        displays: RwSignal::new(HashMap::new()),
        corrections: RwSignal::new(HashMap::new()),
        rois: RwSignal::new(HashMap::new()),
        marker_type: RwSignal::new(1),
        draft: RwSignal::new(Vec::new()),
        loading: RwSignal::new(None),
        load_epoch: StoredValue::new(0),
    };
    provide_context(state);
    state
}

/// The app state from context.
pub fn use_app_state() -> AppState {
    expect_context::<AppState>()
}

impl AppState {
    /// A fresh item id.
    pub fn new_id(&self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    /// Adds a file that could not be read.
    pub fn add_error(&self, name: String, reason: String) {
        let id = self.new_id();
        self.items.update(|v| {
            v.push(Item {
                id,
                name,
                status: Err(reason),
                mask: None,
            })
        });
    }

    /// Adds a decoded image, counts it with the current parameters and selects it if nothing is.
    pub fn add_image(&self, name: String, image: Image) -> u64 {
        let id = self.new_id();
        let description = image.describe();
        let display = initial_display(&image);
        self.displays.update(|d| {
            d.insert(id, display);
        });
        let slot = Slot {
            image: Arc::new(image),
            prepared: None,
            truth: None,
            display: Mutex::new(None),
        };
        self.slots.update_value(|s| {
            s.insert(id, slot);
        });
        self.count(id, &self.params.get_untracked());
        self.items.update(|v| {
            v.push(Item {
                id,
                name,
                status: Ok(description),
                mask: None,
            })
        });
        if self.selected.get_untracked().is_none() {
            self.selected.set(Some(id));
        }
        id
    }

    /// Attaches a ground-truth mask to an image and rescores it; a mask whose size differs from
    /// the image's is refused with the reason.
    pub fn attach_mask(&self, id: u64, name: String, mask: Arc<BitMask>) -> Result<(), String> {
        let image_size = self
            .slots
            .with_value(|s| s.get(&id).map(|s| (s.image.width(), s.image.height())))
            .ok_or_else(|| format!("{name}: its image is no longer loaded"))?;
        if image_size != (mask.width(), mask.height()) {
            let image_name = self
                .items
                .with_untracked(|v| v.iter().find(|i| i.id == id).map(|i| i.name.clone()))
                .unwrap_or_default();
            return Err(format!(
                "the mask is {}x{} but the image {image_name} is {}x{}; masks must have the image's size",
                mask.width(),
                mask.height(),
                image_size.0,
                image_size.1
            ));
        }
        self.slots.update_value(|s| {
            if let Some(slot) = s.get_mut(&id) {
                slot.truth = Some(mask);
            }
        });
        self.items.update(|v| {
            if let Some(item) = v.iter_mut().find(|i| i.id == id) {
                item.mask = Some(name);
            }
        });
        self.count(id, &self.params.get_untracked());
        Ok(())
    }

    /// Detaches an image's mask.
    pub fn detach_mask(&self, id: u64) {
        self.slots.update_value(|s| {
            if let Some(slot) = s.get_mut(&id) {
                slot.truth = None;
            }
        });
        self.items.update(|v| {
            if let Some(item) = v.iter_mut().find(|i| i.id == id) {
                item.mask = None;
            }
        });
        self.outcomes.update(|o| {
            if let Some(out) = o.get_mut(&id) {
                out.score = None;
            }
        });
    }

    /// The display settings of image `id` (tracked).
    pub fn display_of(&self, id: u64) -> DisplaySettings {
        self.displays
            .with(|d| d.get(&id).copied())
            .unwrap_or_default()
    }

    /// Removes an item; the selection moves to the first remaining image.
    pub fn remove(&self, id: u64) {
        self.items.update(|v| v.retain(|i| i.id != id));
        self.displays.update(|d| {
            d.remove(&id);
        });
        self.corrections.update(|c| {
            c.remove(&id);
        });
        self.rois.update(|r| {
            r.remove(&id);
        });
        self.slots.update_value(|s| {
            s.remove(&id);
        });
        self.outcomes.update(|o| {
            o.remove(&id);
        });
        if self.selected.get_untracked() == Some(id) {
            let next = self
                .items
                .with_untracked(|v| v.iter().find(|i| i.status.is_ok()).map(|i| i.id));
            self.selected.set(next);
        }
    }

    /// Counts one image with `params`, reusing its prepared channel when it still matches.
    pub fn count(&self, id: u64, params: &Params) {
        let t0 = now_ms();
        let Some((image, cached, truth)) = self.slots.with_value(|s| {
            s.get(&id).map(|slot| {
                let cached = slot
                    .prepared
                    .as_ref()
                    .filter(|(with, _)| prepared_matches(with, params))
                    .map(|(_, p)| p.clone());
                (slot.image.clone(), cached, slot.truth.clone())
            })
        }) else {
            return;
        };
        let prepared = cached.unwrap_or_else(|| {
            let p = Arc::new(prepare(&image, params));
            self.slots.update_value(|s| {
                if let Some(slot) = s.get_mut(&id) {
                    slot.prepared = Some((params.clone(), p.clone()));
                }
            });
            p
        });
        let analysis = Arc::new(analyze_prepared(&prepared, params));
        let ms = now_ms() - t0;
        let score = truth.and_then(|t| {
            score(&analysis.components, &t, self.scoring.get_untracked())
                .ok()
                .map(Arc::new)
        });
        self.outcomes.update(|o| {
            o.insert(
                id,
                Outcome {
                    analysis,
                    ms,
                    score,
                },
            );
        });
    }

    /// Sets the parameters from a preset (or a reset) and recounts everything.
    pub fn apply_preset(&self, choice: PresetChoice, params: Params) {
        self.params.set(params);
        self.preset.set(choice);
        self.recount_all();
    }

    /// Chooses the preset from the selected image's colour (yellow for grey images).
    pub fn choose_auto_preset(&self) {
        let image = self.selected.get_untracked().and_then(|id| {
            self.slots
                .with_value(|s| s.get(&id).map(|slot| slot.image.clone()))
        });
        let detected = image.as_deref().and_then(detect_collection);
        let params = detected.unwrap_or(Collection::Yellow).preset();
        if self.params.get_untracked() != params
            || self.preset.get_untracked() != PresetChoice::Auto(detected)
        {
            self.apply_preset(PresetChoice::Auto(detected), params);
        }
    }

    /// The pooled figures over every image with a mask, and how many images that is.
    pub fn pooled(&self) -> Option<Pooled> {
        let scores: Vec<ImageScore> = self.outcomes.with(|o| {
            self.items.with(|items| {
                items
                    .iter()
                    .filter_map(|i| o.get(&i.id)?.score.as_deref().cloned())
                    .collect()
            })
        });
        (!scores.is_empty()).then(|| Pooled::new(&scores))
    }

    /// The latest count of the selected image.
    pub fn selected_outcome(&self) -> Option<Outcome> {
        let id = self.selected.get()?;
        self.outcomes.with(|o| o.get(&id).cloned())
    }
}
