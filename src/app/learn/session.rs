//! The Learn panel's state (a context of its own): the user's own model, the latest training and
//! its held-out figures, and the actions that change what counts (the model switch, the cut-off,
//! a new own model sent to every worker).

use super::choice::{CountModel, ModelChoice};
use crate::{
    app::{pool, state::AppState},
    count::learn::{CurvePoint, HeldOut, HeldOutFigures, Model},
    protocol::{
        learn::{builtin, builtin_names},
        messages::{Request, Response},
    },
};
use leptos::prelude::*;
use std::sync::Arc;

/// The user's own model: trained here or read from a file.
#[derive(Clone, Debug)]
pub struct OwnModel {
    /// Its id in the workers.
    pub id: u64,
    /// The model.
    pub model: Arc<Model>,
    /// Where it comes from, in words ("trained on 2 images", "lab.fcmodel").
    pub origin: String,
}

/// A finished training's held-out figures.
#[derive(Clone, Debug)]
pub struct Figures {
    /// The images' names.
    pub names: Vec<String>,
    /// Their true counts.
    pub true_counts: Vec<u32>,
    /// Each image scored by a model trained without it (empty with one image).
    pub held: Vec<HeldOut>,
    /// The pooled precision-recall curve of those scores.
    pub curve: Vec<CurvePoint>,
    /// The pooled figures of the same cross-validation with several seeds, the first the one of
    /// `held` (empty with one image).
    pub seeds: Vec<HeldOutFigures>,
}

/// Where a training is.
#[derive(Clone, Debug)]
pub enum Run {
    /// Not started.
    Idle,
    /// Finding and labelling each image's candidates.
    Labelling {
        /// Images labelled.
        done: usize,
        /// Images in all.
        total: usize,
    },
    /// Growing trees.
    Training {
        /// Trees grown.
        done: u32,
        /// Trees in all.
        total: u32,
    },
    /// Finished.
    Done(Arc<Figures>),
    /// Cancelled by the user.
    Cancelled,
    /// Failed, with why.
    Failed(String),
}

/// The Learn panel's state.
#[derive(Clone, Copy)]
pub struct Learning {
    /// The user's own model.
    pub own: RwSignal<Option<OwnModel>>,
    /// The latest training.
    pub run: RwSignal<Run>,
    /// A message about a model file (or sending a model), if any.
    pub notice: RwSignal<Option<String>>,
    /// The next model id.
    next_id: StoredValue<u64>,
    /// Bumped by each training and each cancel: a training whose number is not the latest
    /// drops its result.
    pub epoch: StoredValue<u64>,
}

/// Creates the Learn panel's state and provides it as context.
pub fn provide_learning() -> Learning {
    let l = Learning {
        own: RwSignal::new(None),
        run: RwSignal::new(Run::Idle),
        notice: RwSignal::new(None),
        next_id: StoredValue::new(1),
        epoch: StoredValue::new(0),
    };
    provide_context(l);
    l
}

/// The Learn panel's state from context.
pub fn use_learning() -> Learning {
    expect_context::<Learning>()
}

/// The built-in model that counts each image with its own collection's candidates: the model
/// switch's without a model of one's own.
pub const AUTO: &str = "auto";

/// A built-in model by name.
pub fn builtin_model(name: &str) -> Option<Arc<Model>> {
    builtin_names()
        .contains(&name)
        .then(|| builtin(name).map(Arc::new))
        .flatten()
}

impl Learning {
    /// Sends `model` to every worker and makes it the user's own model; if the own model was
    /// counting, the new one counts, at its own cut-off. A model a worker refuses changes
    /// nothing, and the notice says why.
    pub async fn set_own(
        self,
        state: AppState,
        model: Model,
        origin: String,
    ) -> Result<(), String> {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let text = model.to_text();
        let replies: Vec<_> = (0..pool::size())
            .map(|w| {
                pool::send(
                    w,
                    &Request::SetModel {
                        id,
                        text: text.clone(),
                    },
                )
            })
            .collect();
        for r in replies {
            match r.await {
                Ok(Response::Done) => {}
                Ok(Response::Failed(reason)) | Err(reason) => return Err(reason),
                Ok(_) => return Err("a worker gave an unexpected answer".into()),
            }
        }
        let model = Arc::new(model);
        self.own.set(Some(OwnModel {
            id,
            model: model.clone(),
            origin,
        }));
        if state.counting.model.with_untracked(ModelChoice::is_own) {
            state.counting.model.set(ModelChoice {
                model: CountModel::Own { id, model },
                cutoff: None,
            });
            state.recount_all();
        }
        Ok(())
    }

    /// Turns the model switch on or off: on counts with the own model, or, without one, with
    /// the built-in model *auto* (each image with its own collection's candidates).
    pub fn switch(self, state: AppState, on: bool) {
        let model = match (on, self.own.get_untracked()) {
            (false, _) => CountModel::Off,
            (true, Some(own)) => CountModel::Own {
                id: own.id,
                model: own.model,
            },
            (true, None) => match builtin_model(AUTO) {
                Some(model) => CountModel::Builtin {
                    name: AUTO.to_string(),
                    model,
                },
                None => return,
            },
        };
        state.counting.model.update(|m| m.model = model);
        state.recount_all();
    }
}

/// Moves the cut-off; the images recount if a model counts (nothing is trained again).
pub fn set_cutoff(state: AppState, cutoff: f32) {
    let c = (cutoff.clamp(0.0, 1.0) * 100.0).round() / 100.0;
    if state.counting.model.with_untracked(|m| m.cutoff) == Some(c) {
        return;
    }
    state.counting.model.update(|m| m.cutoff = Some(c));
    if state.counting.model.with_untracked(ModelChoice::is_on) {
        state.recount_all();
    }
}

/// Counts every image with the built-in model `name` (`None`: no model), at its own cut-off.
pub fn use_builtin(state: AppState, name: Option<&str>) {
    let model = name
        .and_then(|n| Some((n.to_string(), builtin_model(n)?)))
        .map_or(CountModel::Off, |(name, model)| CountModel::Builtin {
            name,
            model,
        });
    state.counting.model.set(ModelChoice {
        model,
        cutoff: None,
    });
    state.recount_all();
}
