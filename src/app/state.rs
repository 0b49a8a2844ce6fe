//! The app's state, shared through context: parameters, loaded images and their counts.

use crate::core::{
    Analysis, Image, Params,
    clock::now_ms,
    pipeline::{Prepared, analyze_prepared, prepare, prepared_matches},
    render::{FILL_COLOUR, FILL_OPACITY, OUTLINE_COLOUR, OverlayStyle},
};
use leptos::prelude::*;
use std::{collections::HashMap, sync::Arc};

/// One entry of the image list: a decoded image or a file that could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Unique id.
    pub id: u64,
    /// File name.
    pub name: String,
    /// `Ok(description)` of the decoded image, or `Err(reason)`.
    pub status: Result<String, String>,
}

/// The heavy, non-reactive data of a decoded image.
pub struct Slot {
    /// The decoded image.
    pub image: Arc<Image>,
    /// The image as display RGBA, computed once.
    pub base: Arc<Vec<u8>>,
    /// The channel and smoothing, with the parameters they were made with.
    pub prepared: Option<(Params, Arc<Prepared>)>,
}

/// The latest count of one image.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The analysis.
    pub analysis: Arc<Analysis>,
    /// Wall time this count took in the browser, in milliseconds.
    pub ms: f64,
}

/// The overlay settings (display only: they never change the analysis).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overlay {
    /// Fill objects.
    pub fill: bool,
    /// Outline objects.
    pub outline: bool,
    /// Fill colour.
    pub fill_colour: [u8; 3],
    /// Fill opacity, 0..=1.
    pub opacity: f32,
    /// Outline colour.
    pub outline_colour: [u8; 3],
}

impl Default for Overlay {
    fn default() -> Self {
        Overlay {
            fill: true,
            outline: true,
            fill_colour: FILL_COLOUR,
            opacity: FILL_OPACITY,
            outline_colour: OUTLINE_COLOUR,
        }
    }
}

impl Overlay {
    /// The drawing style for these settings.
    pub fn style(self) -> OverlayStyle {
        OverlayStyle {
            fill: self.fill.then_some((self.fill_colour, self.opacity)),
            outline: self.outline.then_some(self.outline_colour),
        }
    }
}

/// Everything the components share.
#[derive(Clone, Copy)]
pub struct AppState {
    /// Analysis parameters.
    pub params: RwSignal<Params>,
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
}

/// Creates the app state and provides it as context.
pub fn provide_app_state() -> AppState {
    let state = AppState {
        params: RwSignal::new(Params::default()),
        overlay: RwSignal::new(Overlay::default()),
        items: RwSignal::new(Vec::new()),
        outcomes: RwSignal::new(HashMap::new()),
        selected: RwSignal::new(None),
        status: RwSignal::new(String::new()),
        slots: StoredValue::new(HashMap::new()),
        generation: StoredValue::new(0),
        next_id: StoredValue::new(1),
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
            })
        });
    }

    /// Adds a decoded image, counts it with the current parameters and selects it if nothing is.
    pub fn add_image(&self, name: String, image: Image, base: Vec<u8>) {
        let id = self.new_id();
        let description = image.describe();
        let slot = Slot {
            image: Arc::new(image),
            base: Arc::new(base),
            prepared: None,
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
            })
        });
        if self.selected.get_untracked().is_none() {
            self.selected.set(Some(id));
        }
    }

    /// Removes an item; the selection moves to the first remaining image.
    pub fn remove(&self, id: u64) {
        self.items.update(|v| v.retain(|i| i.id != id));
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
        let Some((image, cached)) = self.slots.with_value(|s| {
            s.get(&id).map(|slot| {
                let cached = slot
                    .prepared
                    .as_ref()
                    .filter(|(with, _)| prepared_matches(with, params))
                    .map(|(_, p)| p.clone());
                (slot.image.clone(), cached)
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
        self.outcomes.update(|o| {
            o.insert(id, Outcome { analysis, ms });
        });
    }

    /// The latest count of the selected image.
    pub fn selected_outcome(&self) -> Option<Outcome> {
        let id = self.selected.get()?;
        self.outcomes.with(|o| o.get(&id).cloned())
    }
}
