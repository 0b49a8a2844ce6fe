//! Leave-one-image-out cross-validation of a choice of settings, so that accuracy on real images
//! is only ever reported on an image the choice did not see.
//!
//! A [`Grid`] of candidate settings is laid over each image's own parameters (its collection's
//! preset, or a parameter file) by [`apply`]. The caller scores every candidate on every image (the
//! expensive part, spread over threads or a worker) into a [`ScoreTable`]; [`leave_one_out`] then
//! chooses, for each image in turn, the candidate with the best pooled F1 on the *other* images
//! ([`choose`]: ties by the lower MAE, then the earlier candidate) and keeps that candidate's score
//! on the held-out image. The pooled figures of those held-out scores estimate how the choice
//! does on images it has never seen; the candidate chosen on all images is what ships.

use crate::count::{
    params::{Params, REFERENCE_DIAMETER, SizeKey},
    scoring::{ImageScore, Pooled},
};

/// One setting of a candidate: a key of [`Params::set`] (or `sizes`, see [`apply`]) and its text.
pub type Setting = (&'static str, String);

/// The candidates: every combination of the values of each axis, the first axis slowest.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// The axes: a key and the values tried.
    pub axes: Vec<(&'static str, Vec<String>)>,
}

impl Grid {
    /// The search that chose the shipped presets' cell-body settings (README, "Presets"): whether
    /// thick bodies skip the blob test, whether what is still thick is split again, how touching
    /// cells are split, and the thickness, blob and
    /// brightness filters. (The size settings follow the diameter: an earlier search chose that
    /// over fixed sizes on every fold, and `sizes` stays a key of [`apply`].)
    pub fn presets() -> Grid {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Grid {
            axes: vec![
                ("blob_exempt", v(&["0", "1"])),
                ("resplit", v(&["0", "1.8"])),
                ("split_by", v(&["shape", "intensity"])),
                ("split_thickness", v(&["0", "0.5"])),
                ("min_thickness", v(&["0", "0.3", "0.45", "0.6"])),
                ("min_blob", v(&["0", "0.15", "0.3"])),
                ("min_brightness", v(&["0", "3", "6"])),
            ],
        }
    }

    /// Every candidate, in order.
    pub fn candidates(&self) -> Vec<Vec<Setting>> {
        let mut out: Vec<Vec<Setting>> = vec![Vec::new()];
        for (key, values) in &self.axes {
            out = out
                .into_iter()
                .flat_map(|c| {
                    values.iter().map(move |v| {
                        let mut c = c.clone();
                        c.push((*key, v.clone()));
                        c
                    })
                })
                .collect();
        }
        out
    }
}

/// `base` with a candidate's settings. `sizes=auto` makes every size setting that is on follow
/// the diameter (a background or opening radius of 0 stays off, the maximum area stays as it is);
/// `sizes=fixed` sets each following one to its value at the reference diameter (36 px); a
/// setting that does not apply is skipped.
pub fn apply(base: &Params, candidate: &[Setting]) -> Params {
    let mut p = base.clone();
    for (key, value) in candidate {
        if *key == "sizes" {
            if value == "fixed" {
                // Each following setting at its value for the reference diameter.
                p = p.resolved(REFERENCE_DIAMETER);
            } else if value == "auto" {
                for k in SizeKey::ALL {
                    let off = match k {
                        SizeKey::Background => base.background == 0,
                        SizeKey::Open => base.open_radius == 0,
                        // Large clumps are cells too: the preset's maximum stands.
                        SizeKey::MaxArea => true,
                        _ => false,
                    };
                    if !off {
                        let _ = p.set(k.key(), "auto");
                    }
                }
            }
        } else {
            let _ = p.set(key, value);
        }
    }
    p
}

/// Candidate settings as text, `key=value&…`.
pub fn describe(candidate: &[Setting]) -> String {
    candidate
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Every candidate's score on every image: `scores[candidate][image]`.
#[derive(Clone, Debug, Default)]
pub struct ScoreTable {
    /// The scores, one row per candidate, one column per image.
    pub scores: Vec<Vec<ImageScore>>,
}

/// Pooled F1 and MAE of one candidate over some images.
fn fitness(row: &[ImageScore], images: &[usize]) -> (f64, f64) {
    let picked: Vec<ImageScore> = images.iter().map(|&i| row[i].clone()).collect();
    let p = Pooled::new(&picked);
    (p.f1(), p.mae)
}

/// The candidate with the best pooled F1 on `images` (ties: lower MAE, then the earlier one);
/// `None` if the table is empty.
pub fn choose(table: &ScoreTable, images: &[usize]) -> Option<usize> {
    choose_in_groups(table, &[images])
}

/// As [`choose`], on the mean over `groups` of each group's pooled F1 (and MAE), empty groups
/// aside: so that a large synthetic suite cannot outvote the real images, each counts as much.
/// Only candidates that count every image of the first group within a fifth of its true count
/// (or two cells) take part, unless none does.
pub fn choose_in_groups(table: &ScoreTable, groups: &[&[usize]]) -> Option<usize> {
    // The first group as given, even when empty (then every candidate holds): dropping the
    // empty groups first would hold the second group (a synthetic suite) to the rule instead.
    let first: &[usize] = groups.first().copied().unwrap_or(&[]);
    let groups: Vec<&[usize]> = groups.iter().copied().filter(|g| !g.is_empty()).collect();
    if groups.is_empty() {
        return None;
    }
    // Candidates that keep every count of the first group (the real images) within a fifth of
    // its truth, or two cells: the default must not fall apart on any image it was chosen on.
    // If none does, all are admissible.
    let holds = |row: &[ImageScore]| {
        first.iter().all(|&i| {
            let s = &row[i];
            f64::from(s.pred_count.abs_diff(s.true_count))
                <= (0.2 * f64::from(s.true_count)).max(2.0)
        })
    };
    let any_holds = table.scores.iter().any(|row| holds(row));
    let mut best: Option<(usize, (f64, f64))> = None;
    for (c, row) in table.scores.iter().enumerate() {
        if any_holds && !holds(row) {
            continue;
        }
        let per: Vec<(f64, f64)> = groups.iter().map(|g| fitness(row, g)).collect();
        let n = per.len() as f64;
        let f = (
            per.iter().map(|p| p.0).sum::<f64>() / n,
            per.iter().map(|p| p.1).sum::<f64>() / n,
        );
        let better = match best {
            None => true,
            Some((_, b)) => f.0 > b.0 + 1e-12 || ((f.0 - b.0).abs() <= 1e-12 && f.1 < b.1 - 1e-12),
        };
        if better {
            best = Some((c, f));
        }
    }
    best.map(|b| b.0)
}

/// One fold: the image held out, the candidate chosen without it, and its score there.
#[derive(Clone, Debug)]
pub struct Fold {
    /// The held-out image's column.
    pub image: usize,
    /// The candidate chosen on the other images.
    pub chosen: usize,
    /// That candidate's score on the held-out image.
    pub score: ImageScore,
}

/// Leave one image out, for each of the first `held_out` images of the table; the images after
/// them are always among the training images (a synthetic suite, say), and the two groups of
/// training images count alike ([`choose_in_groups`]). None with fewer than two images.
pub fn leave_one_out(table: &ScoreTable, held_out: usize) -> Vec<Fold> {
    let n = table.scores.first().map_or(0, Vec::len);
    if n < 2 {
        return Vec::new();
    }
    (0..held_out.min(n))
        .filter_map(|held| {
            let real: Vec<usize> = (0..held_out.min(n)).filter(|&i| i != held).collect();
            let extra: Vec<usize> = (held_out.min(n)..n).collect();
            let chosen = choose_in_groups(table, &[&real, &extra])?;
            Some(Fold {
                image: held,
                chosen,
                score: table.scores[chosen][held].clone(),
            })
        })
        .collect()
}

/// What a leave-one-image-out run found: each held-out image's score with the candidate chosen
/// without it, pooled by collection and in all, and the candidate chosen on every image.
#[derive(Clone, Debug)]
pub struct Report {
    /// One fold per held-out image, in image order.
    pub folds: Vec<Fold>,
    /// The held-out scores pooled by collection, in order of first appearance (one entry per
    /// collection, even if there is only one).
    pub by_collection: Vec<(String, Pooled)>,
    /// The held-out scores pooled over every image: the accuracy estimate for unseen images.
    pub pooled: Pooled,
    /// The candidate chosen on all images (what would ship), if any.
    pub chosen_on_all: Option<usize>,
    /// That candidate's pooled figures on the held-out images, which it was chosen on: not an
    /// accuracy estimate.
    pub chosen_in_sample: Option<Pooled>,
}

/// Scores grouped by name, groups in order of first appearance.
pub fn group_by<'a>(
    items: impl IntoIterator<Item = (&'a str, &'a ImageScore)>,
) -> Vec<(String, Vec<ImageScore>)> {
    let mut by: Vec<(String, Vec<ImageScore>)> = Vec::new();
    for (name, sc) in items {
        match by.iter_mut().find(|(c, _)| c == name) {
            Some((_, v)) => v.push(sc.clone()),
            None => by.push((name.to_string(), vec![sc.clone()])),
        }
    }
    by
}

/// Leave one image out over the first `held_out` columns of `table` ([`leave_one_out`]), with
/// `collections[i]` naming column `i`'s collection. `None` with fewer than two scored images.
pub fn report(table: &ScoreTable, collections: &[String], held_out: usize) -> Option<Report> {
    let folds = leave_one_out(table, held_out);
    if folds.is_empty() {
        return None;
    }
    let name = |i: usize| collections.get(i).map_or("", String::as_str);
    let by_collection = group_by(folds.iter().map(|f| (name(f.image), &f.score)))
        .into_iter()
        .map(|(c, v)| (c, Pooled::new(&v)))
        .collect();
    let held: Vec<ImageScore> = folds.iter().map(|f| f.score.clone()).collect();
    let n = table.scores.first().map_or(0, Vec::len);
    let h = held_out.min(n);
    let real: Vec<usize> = (0..h).collect();
    let extra: Vec<usize> = (h..n).collect();
    let chosen_on_all = choose_in_groups(table, &[&real, &extra]);
    let chosen_in_sample = chosen_on_all.map(|c| Pooled::new(&table.scores[c][..h]));
    Some(Report {
        folds,
        by_collection,
        pooled: Pooled::new(&held),
        chosen_on_all,
        chosen_in_sample,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(true_count: u32, tp: u32, fp: u32) -> ImageScore {
        ImageScore {
            true_count,
            pred_count: tp + fp,
            tp,
            fp,
            fn_: true_count - tp,
            ..ImageScore::default()
        }
    }

    #[test]
    fn the_grid_is_every_combination_first_axis_slowest() {
        let g = Grid {
            axes: vec![
                ("a", vec!["1".into(), "2".into()]),
                ("b", vec!["x".into(), "y".into(), "z".into()]),
            ],
        };
        let c = g.candidates();
        assert_eq!(c.len(), 6);
        assert_eq!(describe(&c[0]), "a=1&b=x");
        assert_eq!(describe(&c[4]), "a=2&b=y");
        assert_eq!(Grid { axes: vec![] }.candidates().len(), 1);
    }

    #[test]
    fn apply_sets_keys_and_sizes_auto_makes_them_follow() {
        let p = apply(
            &Params::default(),
            &[("sizes", "auto".into()), ("min_blob", "0.3".into())],
        );
        assert!(p.follow.contains(SizeKey::MinArea) && !p.follow.contains(SizeKey::MaxArea));
        // The default has no background correction: it stays off.
        assert!(!p.follow.contains(SizeKey::Background) && p.background == 0);
        assert_eq!(p.min_blob, 0.3);
        assert_eq!(
            apply(&Params::default(), &[("sizes", "fixed".into())]),
            Params::default()
        );
    }

    #[test]
    fn each_fold_chooses_without_its_image() {
        // Candidate 0 is perfect on image 0 only; candidate 1 is good on images 1 and 2.
        let table = ScoreTable {
            scores: vec![
                vec![s(10, 10, 0), s(10, 2, 8), s(10, 2, 8)],
                vec![s(10, 5, 5), s(10, 9, 1), s(10, 9, 1)],
            ],
        };
        let folds = leave_one_out(&table, 3);
        assert_eq!(folds.len(), 3);
        // Image 2 only ever trains: two folds, the same choices.
        let two = leave_one_out(&table, 2);
        assert_eq!(two.len(), 2);
        assert_eq!((two[0].chosen, two[1].chosen), (1, 1));
        // Holding out image 0, candidate 1 wins on images 1 and 2: image 0 gets its 5 of 10.
        assert_eq!((folds[0].chosen, folds[0].score.tp), (1, 5));
        assert_eq!(folds[1].chosen, 1);
        assert_eq!(choose(&table, &[0]), Some(0));
        assert!(
            leave_one_out(
                &ScoreTable {
                    scores: vec![vec![s(1, 1, 0)]]
                },
                1
            )
            .is_empty()
        );
        assert_eq!(choose(&ScoreTable::default(), &[0]), None);
        // A candidate that counts an image of the first group far off is left out when another
        // holds: candidate 1 counts 10 for image 1's 10 (within a fifth), candidate 0 counts 10
        // too; make candidate 0 count 30 there.
        let far = ScoreTable {
            scores: vec![
                vec![s(10, 10, 0), s(10, 9, 21)],
                vec![s(10, 5, 5), s(10, 5, 5)],
            ],
        };
        assert_eq!(choose(&far, &[0]), Some(0));
        assert_eq!(choose(&far, &[0, 1]), Some(1));
        // Groups count alike: one image of candidate 0's against two of candidate 1's.
        assert_eq!(choose_in_groups(&table, &[&[0], &[1, 2]]), Some(1));
        assert_eq!(choose_in_groups(&table, &[&[0], &[]]), Some(0));
        assert_eq!(choose_in_groups(&table, &[]), None);
        // With no real image left (the first group empty), the within-a-fifth rule holds for
        // every candidate: it does not move to the training-only group. Candidate 0 counts 13
        // for image 1's 10 at F1 0.87, candidate 1 counts 8 at 0.78.
        let synthetic_only = ScoreTable {
            scores: vec![
                vec![s(1, 1, 0), s(10, 10, 3)],
                vec![s(1, 1, 0), s(10, 7, 1)],
            ],
        };
        assert_eq!(choose_in_groups(&synthetic_only, &[&[], &[1]]), Some(0));
        assert_eq!(choose_in_groups(&synthetic_only, &[&[1]]), Some(1));
    }

    #[test]
    fn the_report_pools_held_out_scores_by_collection_and_in_all() {
        let table = ScoreTable {
            scores: vec![
                vec![s(10, 10, 0), s(10, 2, 8), s(10, 2, 8)],
                vec![s(10, 5, 5), s(10, 9, 1), s(10, 9, 1)],
            ],
        };
        let names: Vec<String> = ["red", "yellow", "red"].map(String::from).to_vec();
        let r = report(&table, &names, 3).expect("three images");
        // Every fold chooses candidate 1: held-out TP 5 + 9 + 9 of 30, FP 5 + 1 + 1.
        assert_eq!((r.pooled.tp, r.pooled.fp, r.pooled.fn_), (23, 7, 7));
        assert_eq!(r.by_collection.len(), 2);
        assert_eq!(r.by_collection[0].0, "red");
        assert_eq!(
            (r.by_collection[0].1.tp, r.by_collection[0].1.n_images),
            (14, 2)
        );
        assert_eq!(
            (r.by_collection[1].1.tp, r.by_collection[1].1.n_images),
            (9, 1)
        );
        assert_eq!(r.chosen_on_all, Some(1));
        assert_eq!(r.chosen_in_sample.map(|p| p.tp), Some(23));
        // Holding out two: the third image only trains, and is not in the in-sample figures.
        let two = report(&table, &names, 2).expect("two images");
        assert_eq!(two.folds.len(), 2);
        assert_eq!(two.chosen_in_sample.map(|p| p.n_images), Some(2));
        assert!(report(&ScoreTable::default(), &[], 0).is_none());
    }
}
