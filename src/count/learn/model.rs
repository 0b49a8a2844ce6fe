//! The model file: a trained forest with the candidate setting and the feature list it was
//! trained with, as versioned plain text.
//!
//! ```text
//! fluocount-model 1
//! name: my lab
//! params: v=3&channel=yellow&…
//! features: area thickness …
//! cutoff: 0.45
//! trained: 3 images, 1210 candidates, 104 cells
//! importance: 0.051 0.12 …
//! trees: 64
//! tree 153
//! 3 0.81 1 2
//! 0.97
//! …
//! ```
//!
//! A node is `feature threshold left right` (rows with `x[feature] < threshold` go to `left`)
//! or a leaf's score. Reading checks everything [`Tree::predict`] relies on (every child after
//! its parent, features in range, scores in 0..=1), so a hostile file gives an error, never a
//! panic or a loop.

use super::{
    features::{COUNT, names},
    forest::{Forest, Node, Tree},
};
use crate::{
    count::{Params, presets::Collection},
    util::text::shortest,
};
use std::fmt::{self, Write};

/// The version this build writes and reads.
pub const VERSION: u32 = 1;
/// The largest model file read, in bytes.
pub const MAX_BYTES: usize = 16 << 20;
/// The most trees a model may have.
pub const MAX_TREES: usize = 1000;
/// The most nodes a tree may have.
pub const MAX_NODES: usize = 1 << 20;

/// The candidate setting a model was trained with: one for every image, or one per collection
/// (each image's own, as *Auto* picks its preset).
#[derive(Clone, Debug, PartialEq)]
pub enum Candidates {
    /// The same setting for every image.
    All(Params),
    /// Each collection's setting, in the order of [`Collection::ALL`].
    ByCollection(Vec<(Collection, Params)>),
}

impl Candidates {
    /// The candidate settings of every collection's preset ([`super::candidate_params`]).
    pub fn of_presets() -> Candidates {
        Candidates::ByCollection(
            Collection::ALL
                .iter()
                .map(|&c| (c, super::candidate_params(&c.preset())))
                .collect(),
        )
    }

    /// The setting for an image of collection `c`.
    pub fn for_collection(&self, c: Collection) -> Params {
        match self {
            Candidates::All(p) => p.clone(),
            Candidates::ByCollection(v) => v
                .iter()
                .find(|(k, _)| *k == c)
                .or(v.first())
                .map_or_else(|| super::candidate_params(&c.preset()), |(_, p)| p.clone()),
        }
    }
}

/// A trained classifier with what it needs to be applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// A name for people.
    pub name: String,
    /// The candidate setting it was trained with.
    pub candidates: Candidates,
    /// The default cut-off.
    pub cutoff: f32,
    /// The forest.
    pub forest: Forest,
    /// Each feature's importance.
    pub importance: Vec<f64>,
    /// What it was trained on, in words.
    pub trained_on: String,
}

/// Why a model file cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelError {
    /// Not a model file.
    NotAModel,
    /// A model of another version.
    Version(String),
    /// Larger than [`MAX_BYTES`].
    TooLarge(usize),
    /// Its features are not the ones this version computes.
    Features(String),
    /// Malformed, with the line (1-based; 0 when the text ends before what was expected) and what.
    Malformed(usize, String),
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::NotAModel => {
                f.write_str("not a Fluocount model (it must begin with \"fluocount-model\")")
            }
            ModelError::Version(v) => write!(
                f,
                "a model of version {v}; this Fluocount reads version {VERSION}"
            ),
            ModelError::TooLarge(n) => write!(
                f,
                "{n} bytes is larger than a model can be ({} MB)",
                MAX_BYTES >> 20
            ),
            ModelError::Features(list) => write!(
                f,
                "trained on other features ({list}) than this Fluocount computes; train it again"
            ),
            // Line 0: the text ended before it (a file cut short).
            ModelError::Malformed(0, what) => write!(f, "{what}: it is cut short"),
            ModelError::Malformed(line, what) => write!(f, "line {line}: {what}"),
        }
    }
}

impl std::error::Error for ModelError {}

impl Model {
    /// The model as text.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let one_line = |t: &str| t.replace(['\n', '\r'], " ");
        let _ = writeln!(s, "fluocount-model {VERSION}");
        let _ = writeln!(s, "name: {}", one_line(&self.name));
        match &self.candidates {
            Candidates::All(p) => {
                let _ = writeln!(s, "params: {}", p.to_query());
            }
            Candidates::ByCollection(v) => {
                for (c, p) in v {
                    let _ = writeln!(s, "params.{}: {}", c.name(), p.to_query());
                }
            }
        }
        let _ = writeln!(s, "features: {}", names().join(" "));
        let _ = writeln!(s, "cutoff: {}", shortest(self.cutoff));
        let _ = writeln!(s, "trained: {}", one_line(&self.trained_on));
        let imp: Vec<String> = self.importance.iter().map(|&v| shortest(v)).collect();
        let _ = writeln!(s, "importance: {}", imp.join(" "));
        let _ = writeln!(s, "trees: {}", self.forest.trees.len());
        for t in &self.forest.trees {
            let _ = writeln!(s, "tree {}", t.nodes.len());
            for n in &t.nodes {
                let _ = match n {
                    Node::Split {
                        feature,
                        threshold,
                        left,
                        right,
                    } => writeln!(s, "{feature} {} {left} {right}", shortest(*threshold)),
                    Node::Leaf(p) => writeln!(s, "{}", shortest(*p)),
                };
            }
        }
        s
    }

    /// Reads a model from its text.
    ///
    /// # Errors
    /// A [`ModelError`] saying what is wrong and where.
    pub fn parse(text: &str) -> Result<Model, ModelError> {
        if text.len() > MAX_BYTES {
            return Err(ModelError::TooLarge(text.len()));
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end()));
        let bad = |n: usize, what: &str| ModelError::Malformed(n, what.to_string());
        let (_, first) = lines.next().ok_or(ModelError::NotAModel)?;
        let version = first
            .strip_prefix("fluocount-model")
            .ok_or(ModelError::NotAModel)?
            .trim();
        if version != VERSION.to_string() {
            return Err(ModelError::Version(version.chars().take(20).collect()));
        }
        fn field<'a>(
            lines: &mut impl Iterator<Item = (usize, &'a str)>,
            key: &str,
        ) -> Result<(usize, String), ModelError> {
            let (n, l) = lines.next().ok_or_else(|| {
                ModelError::Malformed(0, format!("the file ends before \"{key}:\""))
            })?;
            let v = l
                .strip_prefix(key)
                .and_then(|r| r.strip_prefix(':'))
                .ok_or_else(|| ModelError::Malformed(n, format!("\"{key}:\" expected")))?;
            Ok((n, v.trim().to_string()))
        }
        let (_, name) = field(&mut lines, "name")?;
        // `params: …`, or one `params.COLLECTION: …` line per collection.
        let mut by = Vec::new();
        let candidates = loop {
            let (n, l) = lines
                .next()
                .ok_or_else(|| bad(0, "the file ends before \"features:\""))?;
            let (key, query) = l
                .split_once(':')
                .ok_or_else(|| bad(n, "\"params:\" expected"))?;
            let (params, notices) = Params::from_query(query.trim());
            if let Some(notice) = notices.first() {
                return Err(bad(
                    n,
                    &format!(
                        "the candidate settings do not read (parameter {}: {}); the file is cut short or was edited",
                        notice.key, notice.message
                    ),
                ));
            }
            if key == "params" && by.is_empty() {
                break Candidates::All(params);
            }
            let c: Collection = key
                .strip_prefix("params.")
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| bad(n, "\"params:\" or \"params.COLLECTION:\" expected"))?;
            if by.iter().any(|(k, _)| *k == c) {
                return Err(bad(n, &format!("\"params.{}:\" is given twice", c.name())));
            }
            by.push((c, params));
            if by.len() == Collection::ALL.len() {
                break Candidates::ByCollection(by);
            }
        };
        let (_, features) = field(&mut lines, "features")?;
        if features.split_whitespace().collect::<Vec<_>>() != names() {
            return Err(ModelError::Features(features.chars().take(200).collect()));
        }
        let (n, cutoff) = field(&mut lines, "cutoff")?;
        let cutoff: f32 = cutoff
            .parse()
            .ok()
            .filter(|c: &f32| (0.0..=1.0).contains(c))
            .ok_or_else(|| bad(n, "the cut-off must be a number from 0 to 1"))?;
        let (_, trained_on) = field(&mut lines, "trained")?;
        let (n, imp) = field(&mut lines, "importance")?;
        let importance: Vec<f64> = imp
            .split_whitespace()
            .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0))
            .collect::<Option<_>>()
            .filter(|v: &Vec<f64>| v.len() == COUNT)
            .ok_or_else(|| bad(n, &format!("{COUNT} importances from 0 up expected")))?;
        let (n, trees) = field(&mut lines, "trees")?;
        let count: usize = trees
            .parse()
            .ok()
            .filter(|&t| (1..=MAX_TREES).contains(&t))
            .ok_or_else(|| bad(n, &format!("the number of trees must be 1 to {MAX_TREES}")))?;
        let mut forest = Forest {
            features: COUNT,
            trees: Vec::with_capacity(count),
        };
        for _ in 0..count {
            let (n, head) = lines
                .next()
                .ok_or_else(|| bad(0, "the file ends before its last tree"))?;
            let size: usize = head
                .strip_prefix("tree ")
                .and_then(|v| v.trim().parse().ok())
                .filter(|&s| (1..=MAX_NODES).contains(&s))
                .ok_or_else(|| bad(n, "\"tree N\" expected"))?;
            // No more nodes than the rest of the text could hold (two bytes a node at least).
            let mut nodes = Vec::with_capacity(size.min(text.len() / 2));
            for _ in 0..size {
                let (n, l) = lines
                    .next()
                    .ok_or_else(|| bad(0, "the file ends inside a tree"))?;
                let parts: Vec<&str> = l.split_whitespace().collect();
                let node = match parts.as_slice() {
                    [p] => p.parse().ok().map(Node::Leaf),
                    [f, t, a, b] => (|| {
                        Some(Node::Split {
                            feature: f.parse().ok()?,
                            threshold: t.parse().ok()?,
                            left: a.parse().ok()?,
                            right: b.parse().ok()?,
                        })
                    })(),
                    _ => None,
                }
                .ok_or_else(|| bad(n, "a node is \"score\" or \"feature threshold left right\""))?;
                nodes.push(node);
            }
            let tree = Tree { nodes };
            if !tree.is_well_formed(COUNT) {
                return Err(bad(
                    n,
                    "a node points backwards or out of the tree, or a value is out of range",
                ));
            }
            forest.trees.push(tree);
        }
        if let Some((n, l)) = lines.find(|(_, l)| !l.trim().is_empty()) {
            return Err(bad(
                n,
                &format!(
                    "unexpected text after the last tree: {}",
                    l.chars().take(40).collect::<String>()
                ),
            ));
        }
        Ok(Model {
            name,
            candidates,
            cutoff,
            forest,
            importance,
            trained_on,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::learn::forest::{ForestOptions, Samples, train};

    fn small_model() -> Model {
        let mut s = Samples::new(COUNT);
        for i in 0..60 {
            let mut row = [0.0f32; COUNT];
            row[1] = i as f32 / 60.0;
            row[9] = (i % 7) as f32;
            s.push(&row, i >= 30, 1.0);
        }
        let t = train(
            &s,
            &ForestOptions {
                trees: 5,
                ..ForestOptions::default()
            },
            |_, _| true,
        )
        .expect("rows");
        Model {
            name: "test\nmodel".into(),
            candidates: Candidates::All(Params::default()),
            cutoff: 0.45,
            forest: t.forest,
            importance: t.importance,
            trained_on: "1 image".into(),
        }
    }

    #[test]
    fn a_model_reads_back_as_it_was_written() {
        let m = small_model();
        let text = m.to_text();
        let back = Model::parse(&text).expect("its own text");
        assert_eq!(back.name, "test model");
        assert_eq!(back.forest, m.forest);
        assert_eq!(back.cutoff, 0.45);
        assert_eq!(back.candidates, m.candidates);
        let by = Model {
            candidates: Candidates::of_presets(),
            name: "by collection".into(),
            ..m.clone()
        };
        assert_eq!(Model::parse(&by.to_text()), Ok(by));
        // Thresholds are written exactly: the same scores.
        let mut row = [0.0f32; COUNT];
        for k in 0..60 {
            row[1] = k as f32 / 60.0;
            assert_eq!(back.forest.predict(&row), m.forest.predict(&row));
        }
    }

    #[test]
    fn hostile_truncated_and_foreign_files_give_errors() {
        let text = small_model().to_text();
        // Every truncation at a line boundary but the whole is an error, and none panics.
        let lines: Vec<&str> = text.lines().collect();
        for k in 0..lines.len() {
            let cut = lines[..k].join("\n");
            let message = Model::parse(&cut).map(|_| ()).unwrap_err().to_string();
            // A file cut short says so, not "line 0".
            assert!(!message.contains("line 0"), "cut at {k}: {message}");
        }
        // Cut inside the candidate settings (at "mi" of "min_area"): refused, and said so.
        let at = text.find("min_area").expect("a min_area setting") + 2;
        let message = Model::parse(&text[..at])
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("do not read") && message.contains("cut short or was edited"),
            "{message}"
        );
        let in_a_tree = Model::parse(&lines[..lines.len() - 1].join("\n"));
        assert_eq!(
            in_a_tree.map(|_| ()).unwrap_err().to_string(),
            "the file ends inside a tree: it is cut short"
        );
        // Any byte cut never panics.
        for k in (0..text.len()).step_by(7) {
            if text.is_char_boundary(k) {
                let _ = Model::parse(&text[..k]);
            }
        }
        assert_eq!(Model::parse("PNG"), Err(ModelError::NotAModel));
        assert!(matches!(
            Model::parse(&text.replacen("fluocount-model 1", "fluocount-model 9", 1)),
            Err(ModelError::Version(v)) if v == "9"
        ));
        assert!(matches!(
            Model::parse(&text.replacen("features: area", "features: volume", 1)),
            Err(ModelError::Features(_))
        ));
        let backwards = text
            .replacen("tree ", "tree 1\n0 0.5 0 0\ntree ", 1)
            .replacen("trees: 5", "trees: 6", 1);
        assert!(matches!(
            Model::parse(&backwards),
            Err(ModelError::Malformed(_, w)) if w.contains("points backwards")
        ));
        let huge = text.replacen("trees: 5", "trees: 4000000000", 1);
        assert!(matches!(
            Model::parse(&huge),
            Err(ModelError::Malformed(_, _))
        ));
        let nodes = text.replacen("tree ", "tree 999999\n", 1);
        assert!(Model::parse(&nodes).is_err());
        let cut = text.replacen("cutoff: 0.45", "cutoff: NaN", 1);
        assert!(Model::parse(&cut).is_err());
        // A collection's candidate settings given twice (and so another's missing).
        let by = Model {
            candidates: Candidates::of_presets(),
            ..small_model()
        }
        .to_text();
        let twice = by.replacen("params.red:", "params.yellow:", 1);
        assert!(twice.contains("params.yellow:") && !twice.contains("params.red:"));
        assert!(matches!(
            Model::parse(&twice),
            Err(ModelError::Malformed(_, w)) if w.contains("\"params.yellow:\" is given twice")
        ));
        let trailing = format!("{text}junk\n");
        assert!(Model::parse(&trailing).is_err());
        let bom = format!("\u{feff}{text}");
        assert!(Model::parse(&bom).is_ok());
        for e in [
            ModelError::NotAModel,
            ModelError::Version("9".into()),
            ModelError::TooLarge(1 << 30),
            ModelError::Features("x".into()),
            ModelError::Malformed(3, "x".into()),
        ] {
            assert!(!e.to_string().is_empty());
        }
    }
}
