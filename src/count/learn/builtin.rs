//! The built-in model: a forest trained on the real samples with masks in
//! `tests/data/fluocells` (two yellow, two red) and the hard synthetic suite
//! ([`crate::count::synth_hard::suite`], 9 images; `scripts/train-builtin.sh`), each image with its
//! collection's candidate setting. The preset menu offers it per collection: *yellow* and *red*
//! count every image with that collection's candidates; *auto* with each image's own.
//!
//! `tests/learn.rs` retrains it and checks that the committed file is what training gives.

use super::{Candidates, Model, candidate_params};
use crate::count::presets::Collection;

/// The model file, as `scripts/train-builtin.sh` writes it.
pub const SAMPLES: &str = include_str!("builtin/samples.fcmodel");

/// The names of the built-in models, as the preset menu and share links give them.
pub const NAMES: [&str; 3] = ["auto", "yellow", "red"];

/// A built-in model by name (see [`NAMES`]; case-insensitive); `None` for another name.
pub fn get(name: &str) -> Option<Model> {
    let name = name.trim().to_ascii_lowercase();
    if !NAMES.contains(&name.as_str()) {
        return None;
    }
    let mut model = Model::parse(SAMPLES).ok()?;
    if let Ok(c) = name.parse::<Collection>() {
        model.candidates = Candidates::All(candidate_params(&c.preset()));
    }
    model.name = format!("built-in {name}");
    Some(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_model_reads_and_unknown_names_are_none() {
        for n in NAMES {
            let m = get(n).expect("a built-in model reads");
            assert_eq!(m.name, format!("built-in {n}"));
            assert!(m.forest.trees.len() >= 16);
        }
        assert_eq!(
            get("YELLOW").map(|m| m.candidates),
            Some(Candidates::All(candidate_params(
                &Collection::Yellow.preset()
            )))
        );
        assert_eq!(
            get("auto").map(|m| m.candidates),
            Some(Candidates::of_presets())
        );
        assert!(get("green").is_none());
        assert!(get("../../etc/passwd").is_none());
    }
}
