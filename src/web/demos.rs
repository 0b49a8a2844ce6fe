//! The built-in demos: real samples of the Fluorescent Neuronal Cells dataset (served with the
//! site under `fluocells/`, from `tests/data/fluocells`) and synthetic images made in the browser.

use crate::{count::presets::Collection, count::synth::SynthParams, util::text::shortest};

/// Largest number of cells of a synthetic image in a link.
pub const MAX_CELLS: u32 = 400;
/// Largest noise (standard deviation, grey levels) of a synthetic image in a link.
pub const MAX_NOISE: f32 = 40.0;
/// Width of every synthetic image made from a link.
pub const SYNTH_WIDTH: u32 = 1600;
/// Height of every synthetic image made from a link.
pub const SYNTH_HEIGHT: u32 = 1200;

/// A synthetic image as a link names it; always [`SYNTH_WIDTH`] x [`SYNTH_HEIGHT`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SynthSpec {
    /// Random seed.
    pub seed: u64,
    /// Number of cells, 0..=[`MAX_CELLS`].
    pub cells: u32,
    /// Fraction of cells placed touching another, 0..=1.
    pub touching: f32,
    /// Pixel noise (standard deviation in grey levels), 0..=[`MAX_NOISE`].
    pub noise: f32,
}

impl Default for SynthSpec {
    fn default() -> Self {
        let p = SynthParams::default();
        SynthSpec {
            seed: p.seed,
            cells: p.cells,
            touching: p.touching,
            noise: p.noise,
        }
    }
}

impl SynthSpec {
    /// The generator's settings: this spec at 1600x1200 with the default debris and faint blobs.
    pub fn params(&self) -> SynthParams {
        SynthParams {
            seed: self.seed,
            width: SYNTH_WIDTH,
            height: SYNTH_HEIGHT,
            cells: self.cells,
            touching: self.touching,
            noise: self.noise,
            ..SynthParams::default()
        }
    }

    /// `SEED,CELLS,TOUCHING,NOISE`, e.g. `1,40,0.3,6`.
    pub fn to_text(self) -> String {
        format!(
            "{},{},{},{}",
            self.seed,
            self.cells,
            shortest(self.touching),
            shortest(self.noise)
        )
    }
}

/// One built-in demo.
#[derive(Clone, Debug, PartialEq)]
pub struct Demo {
    /// Stable id used in share links (`demo=ID`): lower-case letters, digits and `-`.
    pub id: &'static str,
    /// Title shown on the page.
    pub title: &'static str,
    /// What the demo opens.
    pub kind: DemoKind,
}

/// What a demo opens.
#[derive(Clone, Debug, PartialEq)]
pub enum DemoKind {
    /// A sample image of the dataset.
    Real {
        /// The image, relative to the site root (under `fluocells/`).
        image: &'static str,
        /// Its ground-truth mask, relative to the site root, if it has one.
        mask: Option<&'static str>,
        /// The collection, whose preset suits it.
        collection: Collection,
        /// The number of cells in the mask (4-connected objects), if it has one.
        true_count: Option<u32>,
    },
    /// A synthetic image with its truth, made in the browser.
    Synth(SynthSpec),
}

/// The credit the page shows beside the real samples (CC BY-SA 4.0 requires it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attribution {
    /// The dataset's name.
    pub dataset: &'static str,
    /// Its authors.
    pub authors: &'static str,
    /// The institution that published it.
    pub institution: &'static str,
    /// The licence's name.
    pub licence: &'static str,
    /// The licence's address.
    pub licence_url: &'static str,
}

/// The credit of the Fluorescent Neuronal Cells dataset.
pub const ATTRIBUTION: Attribution = Attribution {
    dataset: "Fluorescent Neuronal Cells",
    authors: "Clissa, Morelli, Squarcio, Hitrec, Luppi, Rinaldi, Cerri, Amici, Bastianini, \
              Berteotti, Lo Martire, Martelli et al. (AMS Acta eprints 6706 and 7347)",
    institution: "University of Bologna",
    licence: "CC BY-SA 4.0",
    licence_url: "https://creativecommons.org/licenses/by-sa/4.0/",
};

impl Attribution {
    /// The credit as one line of text.
    pub fn text(&self) -> String {
        format!(
            "Sample images: {} dataset, {}, {}; licensed {} ({}).",
            self.dataset, self.authors, self.institution, self.licence, self.licence_url
        )
    }
}

const DEMOS: [Demo; 7] = [
    Demo {
        id: "yellow-lhl",
        title: "Yellow (CTb), lateral hypothalamus: 6 cells, some clumped",
        kind: DemoKind::Real {
            image: "fluocells/yellow/images/Mar24bS1C2R3_LHl_200x.png",
            mask: Some("fluocells/yellow/masks/Mar24bS1C2R3_LHl_200x.png"),
            collection: Collection::Yellow,
            true_count: Some(6),
        },
    },
    Demo {
        id: "yellow-vlpag",
        title: "Yellow (CTb), periaqueductal grey: 4 cells on a bright background",
        kind: DemoKind::Real {
            image: "fluocells/yellow/images/Mar23bS1C2R3_VLPAGr_200x.png",
            mask: Some("fluocells/yellow/masks/Mar23bS1C2R3_VLPAGr_200x.png"),
            collection: Collection::Yellow,
            true_count: Some(4),
        },
    },
    Demo {
        id: "red-dmh",
        title: "Red, dorsomedial hypothalamus: 5 cells",
        kind: DemoKind::Real {
            image: "fluocells/red/images/MAR31S1C1R2_DMHr_200x_r.png",
            mask: Some("fluocells/red/masks/MAR31S1C1R2_DMHr_200x_r.png"),
            collection: Collection::Red,
            true_count: Some(5),
        },
    },
    Demo {
        id: "green-dm",
        title: "Green nuclear marker (no mask)",
        kind: DemoKind::Real {
            image: "fluocells/green/images/Mar19bS1C4R3_DMl_200x_g.png",
            mask: None,
            collection: Collection::Green,
            true_count: None,
        },
    },
    Demo {
        id: "synth-sparse",
        title: "Synthetic: 20 separated cells, little noise",
        kind: DemoKind::Synth(SynthSpec {
            seed: 3,
            cells: 20,
            touching: 0.0,
            noise: 4.0,
        }),
    },
    Demo {
        id: "synth-touching",
        title: "Synthetic: 40 cells, 12 pairs touching",
        kind: DemoKind::Synth(SynthSpec {
            seed: 1,
            cells: 40,
            touching: 0.6,
            noise: 6.0,
        }),
    },
    Demo {
        id: "synth-crowded",
        title: "Synthetic: 120 crowded cells, noisy",
        kind: DemoKind::Synth(SynthSpec {
            seed: 11,
            cells: 120,
            touching: 0.4,
            noise: 20.0,
        }),
    },
];

impl Demo {
    /// The demo's own parameters: the preset of its collection (a synthetic image is yellow, as
    /// the v1 images it imitates). Opening a demo starts from these, not from whatever the page
    /// had before, so a demo shows the same count from the gallery, the header menu or a link.
    pub fn params(&self) -> crate::count::Params {
        match self.kind {
            DemoKind::Real { collection, .. } => collection.preset(),
            DemoKind::Synth(_) => Collection::Yellow.preset(),
        }
    }
}

/// Every demo, real samples first.
pub fn demos() -> &'static [Demo] {
    &DEMOS
}

/// The demo with this id.
pub fn find(id: &str) -> Option<&'static Demo> {
    DEMOS.iter().find(|d| d.id == id)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::{
        count::synth::generate,
        imaging::{BitMask, Connectivity, label::label},
    };
    use std::path::Path;

    #[test]
    fn ids_are_unique_and_url_safe() {
        for (i, d) in demos().iter().enumerate() {
            assert!(!d.id.is_empty() && !d.title.is_empty());
            assert!(
                d.id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                d.id
            );
            assert!(demos()[..i].iter().all(|e| e.id != d.id), "{}", d.id);
            assert_eq!(find(d.id), Some(d));
        }
        assert_eq!(find("nope"), None);
    }

    #[test]
    fn every_real_file_exists_under_tests_data() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        for d in demos() {
            if let DemoKind::Real {
                image,
                mask,
                true_count,
                ..
            } = d.kind
            {
                assert_eq!(mask.is_some(), true_count.is_some(), "{}", d.id);
                for path in std::iter::once(image).chain(mask) {
                    assert!(path.starts_with("fluocells/"), "{path}");
                    assert!(data.join(path).is_file(), "{path} is missing");
                }
            }
        }
        assert!(data.join("fluocells/ATTRIBUTION.md").is_file());
        assert!(ATTRIBUTION.text().contains("CC BY-SA 4.0"));
    }

    /// Demos open under *Auto*: each must get its own parameters from its colour, so that it
    /// shows the same count from the gallery, the menu or a link whatever else is open.
    #[test]
    fn auto_gives_each_demo_its_own_parameters() {
        use crate::{
            count::presets::detect_collection,
            imaging::decode::{DecodeLimits, decode},
        };
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        for d in demos() {
            let image = match d.kind {
                DemoKind::Real { image, .. } => {
                    let bytes = std::fs::read(data.join(image)).expect("demo file");
                    decode(&bytes, &DecodeLimits::default()).expect("decodes")
                }
                DemoKind::Synth(spec) => generate(&spec.params()).image,
            };
            let auto = detect_collection(&image).unwrap_or_default();
            assert_eq!(auto.preset(), d.params(), "{}: detected {auto}", d.id);
        }
    }

    #[test]
    fn each_synthetic_demo_has_the_cells_its_spec_says() {
        for d in demos() {
            if let DemoKind::Synth(spec) = d.kind {
                let p = spec.params();
                let s = generate(&p);
                let bits: Vec<bool> = s.truth.iter().map(|&v| v > 0).collect();
                let objects = label(
                    &BitMask::from_bools(p.width, p.height, &bits),
                    Connectivity::Four,
                )
                .count;
                assert_eq!(objects, spec.cells, "{}", d.id);
                let pairs = s.cells.iter().filter(|c| c.touching).count() as f32;
                assert_eq!(
                    2.0 * pairs,
                    (spec.touching * spec.cells as f32).round(),
                    "{}",
                    d.id
                );
                assert!(d.title.contains(&spec.cells.to_string()), "{}", d.id);
            }
        }
    }
}
