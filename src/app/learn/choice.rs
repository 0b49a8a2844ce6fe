//! Which classifier counts the images, if any, and at which cut-off: the page's side of a
//! [`ModelUse`].

use crate::{
    count::{Params, learn::Model, presets::Collection},
    protocol::learn::{ModelRef, ModelUse},
};
use std::sync::Arc;

/// The model that counts.
#[derive(Clone, Debug, Default)]
pub enum CountModel {
    /// None: the parameters' filters count.
    #[default]
    Off,
    /// The user's own model (trained here or loaded from a file), sent to the workers under `id`.
    Own {
        /// Its id in the workers.
        id: u64,
        /// The model.
        model: Arc<Model>,
    },
    /// One built-in model for every image.
    Builtin {
        /// Its name.
        name: String,
        /// The model.
        model: Arc<Model>,
    },
}

/// The model that counts and the cut-off moved by hand (`None`: each model's own).
#[derive(Clone, Debug, Default)]
pub struct ModelChoice {
    /// The model.
    pub model: CountModel,
    /// The cut-off, if moved.
    pub cutoff: Option<f32>,
}

impl ModelChoice {
    /// Whether a model counts.
    pub fn is_on(&self) -> bool {
        !matches!(self.model, CountModel::Off)
    }

    /// Whether the user's own model counts (it cannot travel in a link).
    pub fn is_own(&self) -> bool {
        matches!(self.model, CountModel::Own { .. })
    }

    /// The model that counts an image of collection `c`.
    pub fn model_of(&self, _c: Collection) -> Option<&Arc<Model>> {
        match &self.model {
            CountModel::Off => None,
            CountModel::Own { model, .. } | CountModel::Builtin { model, .. } => Some(model),
        }
    }

    /// The cut-off an image of collection `c` is counted at.
    pub fn cutoff_of(&self, c: Collection) -> Option<f32> {
        let m = self.model_of(c)?;
        Some(self.cutoff.unwrap_or(m.cutoff))
    }

    /// The parameters an image of collection `c` finds its candidates with.
    pub fn params(&self, c: Collection) -> Option<Params> {
        self.model_of(c).map(|m| m.candidates.for_collection(c))
    }

    /// What a worker needs to count an image of collection `c` (`None`: the worker detects it,
    /// for a batch file).
    pub fn use_for(&self, c: Option<Collection>) -> Option<ModelUse> {
        let model = match &self.model {
            CountModel::Off => return None,
            CountModel::Own { id, .. } => ModelRef::Sent(*id),
            CountModel::Builtin { name, .. } => ModelRef::Builtin(name.clone()),
        };
        Some(ModelUse {
            model,
            cutoff: self.cutoff,
            collection: c,
        })
    }

    /// The built-in model's name, when one built-in counts every image.
    pub fn builtin_name(&self) -> Option<&str> {
        match &self.model {
            CountModel::Builtin { name, .. } => Some(name),
            _ => None,
        }
    }
}
