//! Auto-tuning: search the parameters that maximise pooled F1 on images with ground truth.
//!
//! The search is a coordinate ascent over a small, explicit [`SearchSpace`]: starting from the
//! given parameters, each axis in turn is set to each of its values with the others held, and the
//! best value is kept; rounds repeat until a round changes nothing (or [`Tuner::MAX_ROUNDS`]).
//! The objective is pooled F1 by the reference protocol, ties broken by the lower MAE and then by
//! the earlier candidate (the starting point wins a tie, which keeps the result near a preset).
//!
//! [`Tuner`] is a plain state machine — it proposes a candidate, the caller scores it and reports
//! back — so the command line can spread images over threads and the app can yield to the page
//! between candidates and cancel at any time.

use crate::{
    count::{
        params::Params,
        pipeline::{Prepared, analyze_prepared, prepare, prepared_matches},
        scoring::{ImageScore, Pooled, ScoreOptions, score},
    },
    imaging::{bitmask::BitMask, image::Image},
};
use std::sync::Arc;

/// One image's preparation with the parameters it was made with, kept between candidates.
pub type PreparedCache = Option<(Params, Arc<Prepared>)>;

/// Scores `params` on one image with its mask, reusing `cache` when its channel, background and
/// smoothing still apply (most candidates change only later stages). `None` if the sizes differ.
pub fn score_candidate(
    image: &Image,
    truth: &BitMask,
    cache: &mut PreparedCache,
    params: &Params,
    opts: ScoreOptions,
) -> Option<ImageScore> {
    let prep = match cache {
        Some((with, p)) if prepared_matches(with, params) => p.clone(),
        _ => {
            let p = Arc::new(prepare(image, params));
            *cache = Some((params.clone(), p.clone()));
            p
        }
    };
    score(&analyze_prepared(&prep, params).components, truth, opts).ok()
}

/// One axis of the search: a parameter key (as in [`Params::set`]) and the values tried.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The parameter's key.
    pub key: &'static str,
    /// The values tried, as text.
    pub values: Vec<String>,
}

/// The axes searched, in the order they are visited.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchSpace {
    /// The axes.
    pub axes: Vec<Axis>,
}

fn axis(key: &'static str, values: &[&str]) -> Axis {
    Axis {
        key,
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

impl Default for SearchSpace {
    /// Threshold method, background, smoothing, morphology, splitting and the particle filters:
    /// 70 values over 11 axes.
    fn default() -> Self {
        SearchSpace {
            axes: vec![
                axis(
                    "method",
                    &[
                        "Otsu",
                        "Default",
                        "Huang",
                        "Li",
                        "Triangle",
                        "MaxEntropy",
                        "Yen",
                        "Moments",
                        "Mean",
                        "Percentile",
                        "Local:Phansalkar",
                        "Local:Sauvola",
                    ],
                ),
                axis("bg", &["0", "25", "50", "100"]),
                axis("sigma", &["0", "1", "2", "3"]),
                axis("open", &["0", "1", "2", "3", "4"]),
                axis("close", &["0", "1", "2", "3"]),
                axis("split", &["0", "1"]),
                axis("prominence", &["0.5", "1", "2", "3", "5"]),
                axis("seed_distance", &["5", "10", "15", "20"]),
                axis("min_area", &["50", "120", "200", "300", "450", "600"]),
                axis("min_circ", &["0", "0.3", "0.5", "0.6", "0.7"]),
                axis("min_contrast", &["0", "5", "10", "20", "30", "45"]),
            ],
        }
    }
}

impl SearchSpace {
    /// The space as text, one axis per line (`key: a, b, c`).
    pub fn describe(&self) -> String {
        self.axes
            .iter()
            .map(|a| format!("{}: {}", a.key, a.values.join(", ")))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// How good a candidate is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fitness {
    /// Pooled F1.
    pub f1: f64,
    /// Mean absolute count error.
    pub mae: f64,
}

impl Fitness {
    /// The figures of a set of image scores.
    pub fn of(scores: &[ImageScore]) -> Fitness {
        let pooled = Pooled::new(scores);
        Fitness {
            f1: pooled.f1(),
            mae: pooled.mae,
        }
    }

    fn beats(self, other: Fitness) -> bool {
        self.f1 > other.f1 + 1e-12
            || ((self.f1 - other.f1).abs() <= 1e-12 && self.mae < other.mae - 1e-12)
    }
}

/// Progress of a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Candidates evaluated.
    pub done: usize,
    /// An estimate of the total (two rounds over every axis).
    pub total: usize,
}

/// The coordinate-ascent search; see the module documentation.
#[derive(Clone, Debug)]
pub struct Tuner {
    space: SearchSpace,
    best: Params,
    best_fitness: Option<Fitness>,
    start_fitness: Option<Fitness>,
    round: usize,
    axis: usize,
    value: usize,
    changed: bool,
    pending: Option<Params>,
    evaluated: usize,
    finished: bool,
}

impl Tuner {
    /// Rounds at most.
    pub const MAX_ROUNDS: usize = 4;

    /// A search over `space` from `start`.
    pub fn new(space: SearchSpace, start: Params) -> Tuner {
        Tuner {
            space,
            best: start,
            best_fitness: None,
            start_fitness: None,
            round: 0,
            axis: 0,
            value: 0,
            changed: false,
            pending: None,
            evaluated: 0,
            finished: false,
        }
    }

    /// The next candidate to score, or `None` when the search is over. Call [`Tuner::report`]
    /// with its fitness before asking again.
    pub fn next_candidate(&mut self) -> Option<Params> {
        if let Some(p) = &self.pending {
            return Some(p.clone());
        }
        if self.best_fitness.is_none() {
            self.pending = Some(self.best.clone());
            return self.pending.clone();
        }
        while !self.finished {
            let Some(ax) = self.space.axes.get(self.axis) else {
                // End of a round.
                self.round += 1;
                if !self.changed || self.round >= Self::MAX_ROUNDS {
                    self.finished = true;
                    return None;
                }
                self.changed = false;
                self.axis = 0;
                self.value = 0;
                continue;
            };
            let Some(value) = ax.values.get(self.value) else {
                self.axis += 1;
                self.value = 0;
                continue;
            };
            self.value += 1;
            let mut candidate = self.best.clone();
            if candidate.set(ax.key, value).is_err() || candidate == self.best {
                continue;
            }
            // Axes that only matter when another is on are skipped when it is off.
            if matches!(ax.key, "prominence" | "seed_distance") && !candidate.split {
                continue;
            }
            self.pending = Some(candidate.clone());
            return Some(candidate);
        }
        None
    }

    /// Reports the fitness of the candidate last returned by [`Tuner::next_candidate`].
    pub fn report(&mut self, fitness: Fitness) {
        let Some(candidate) = self.pending.take() else {
            return;
        };
        self.evaluated += 1;
        match self.best_fitness {
            None => {
                self.best_fitness = Some(fitness);
                self.start_fitness = Some(fitness);
            }
            Some(best) if fitness.beats(best) => {
                self.best = candidate;
                self.best_fitness = Some(fitness);
                self.changed = true;
            }
            Some(_) => {}
        }
    }

    /// The best parameters so far.
    pub fn best(&self) -> &Params {
        &self.best
    }

    /// The fitness of the best parameters so far.
    pub fn best_fitness(&self) -> Option<Fitness> {
        self.best_fitness
    }

    /// The fitness of the starting parameters.
    pub fn start_fitness(&self) -> Option<Fitness> {
        self.start_fitness
    }

    /// Whether the search is over.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// How far the search is.
    pub fn progress(&self) -> Progress {
        let per_round: usize = self.space.axes.iter().map(|a| a.values.len()).sum();
        let total = 1 + 2 * per_round;
        Progress {
            done: self.evaluated,
            total: if self.finished {
                self.evaluated
            } else {
                total.max(self.evaluated + 1)
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_space() -> SearchSpace {
        SearchSpace {
            axes: vec![
                axis("open", &["0", "1", "2", "3"]),
                axis("close", &["0", "1", "2"]),
            ],
        }
    }

    /// Drives the tuner with a made-up objective that peaks at open=3, close=1.
    #[test]
    fn coordinate_ascent_finds_the_peak_of_a_separable_objective() {
        let mut t = Tuner::new(small_space(), Params::default());
        let mut n = 0;
        while let Some(p) = t.next_candidate() {
            let f1 = 1.0
                - 0.1 * (p.open_radius as f64 - 3.0).abs()
                - 0.1 * (p.close_radius as f64 - 1.0).abs();
            t.report(Fitness { f1, mae: 0.0 });
            n += 1;
            assert!(n < 100, "the search ends");
        }
        assert!(t.is_finished());
        assert_eq!((t.best().open_radius, t.best().close_radius), (3, 1));
        assert_eq!(t.best_fitness().map(|f| f.f1), Some(1.0));
        assert_eq!(t.progress().done, n);
    }

    #[test]
    fn the_start_wins_ties_and_mae_breaks_equal_f1() {
        let mut t = Tuner::new(small_space(), Params::default());
        while let Some(p) = t.next_candidate() {
            let mae = if p.close_radius == 0 { 1.0 } else { 2.0 };
            t.report(Fitness { f1: 0.5, mae });
        }
        assert_eq!(t.best().open_radius, Params::default().open_radius);
        assert_eq!(t.best().close_radius, 0);
    }

    #[test]
    fn the_default_space_has_only_valid_values() {
        for ax in SearchSpace::default().axes {
            for v in &ax.values {
                let mut p = Params::default();
                assert_eq!(p.set(ax.key, v), Ok(()), "{}={v}", ax.key);
            }
        }
    }
}
