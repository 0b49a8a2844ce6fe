//! A random forest of classification trees (Breiman 2001), deterministic with a seed.
//!
//! - Each tree grows on a bootstrap sample of the training rows, choosing at every node the best
//!   of `⌈√features⌉` features drawn at random, by the decrease of the weighted Gini impurity.
//! - Splits are searched on each feature's quantile bins (at most [`BINS`] per feature, made once
//!   from the training data, as LightGBM and scikit-learn's histogram trees do): a node's split
//!   costs one pass over its rows per feature, not a sort.
//! - Classes are balanced by weight: every row of a class weighs `n / (2·n_class)`, times its own
//!   weight, so that a few cells among many fibres pieces still pull the splits.
//! - A leaf holds the weighted fraction of cells among its rows; the forest's score is the mean of
//!   its trees' leaves, 0 to 1.
//! - Out-of-bag scores (each row scored by the trees that did not see it) come with the forest,
//!   for choosing a cut-off without looking at held-out data.
//! - Feature importance is the mean decrease of impurity, summed over the nodes that split on the
//!   feature and normalised to sum to 1.

/// The most quantile bins per feature.
pub const BINS: usize = 64;

/// How to grow the forest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ForestOptions {
    /// Number of trees.
    pub trees: usize,
    /// Deepest level a node may reach (the root is 0).
    pub max_depth: usize,
    /// The fewest training rows in a leaf.
    pub min_leaf: usize,
    /// Features tried at each node; 0 for ⌈√features⌉.
    pub features_per_split: usize,
    /// The random seed: the same rows, options and seed give the same forest, on every platform.
    pub seed: u64,
}

impl Default for ForestOptions {
    fn default() -> Self {
        ForestOptions {
            trees: 64,
            max_depth: 6,
            min_leaf: 3,
            features_per_split: 0,
            seed: 0x5eed_f10c,
        }
    }
}

/// A node of a tree: a split (`feature < threshold` goes left) or a leaf.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Node {
    /// Rows with `x[feature] < threshold` go to `left`, the others (and NaN) to `right`; both
    /// are indices of later nodes of the same tree.
    Split {
        /// The feature's index.
        feature: u16,
        /// The threshold.
        threshold: f32,
        /// Index of the left child.
        left: u32,
        /// Index of the right child.
        right: u32,
    },
    /// The weighted fraction of cells among the leaf's training rows.
    Leaf(f32),
}

/// One tree: its nodes, the root first, every child after its parent.
#[derive(Clone, Debug, PartialEq)]
pub struct Tree {
    /// The nodes.
    pub nodes: Vec<Node>,
}

impl Tree {
    /// The tree's score of a row: the value of the leaf it reaches.
    pub fn predict(&self, x: &[f32]) -> f32 {
        let mut i = 0usize;
        // Children always come after their parent, so this ends within `nodes.len()` steps.
        for _ in 0..self.nodes.len() {
            match self.nodes.get(i) {
                Some(Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                }) => {
                    let v = x.get(usize::from(*feature)).copied().unwrap_or(f32::NAN);
                    i = if v < *threshold { *left } else { *right } as usize;
                }
                Some(Node::Leaf(p)) => return *p,
                None => return 0.0,
            }
        }
        0.0
    }

    /// Whether every child index points to a later node of the tree and every feature index is
    /// under `features` (what [`Tree::predict`] needs; checked when a model file is read).
    pub fn is_well_formed(&self, features: usize) -> bool {
        let n = self.nodes.len();
        !self.nodes.is_empty()
            && self.nodes.iter().enumerate().all(|(i, node)| match node {
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    usize::from(*feature) < features
                        && !threshold.is_nan()
                        && (*left as usize) > i
                        && (*left as usize) < n
                        && (*right as usize) > i
                        && (*right as usize) < n
                }
                Node::Leaf(p) => (0.0..=1.0).contains(p),
            })
    }
}

/// A trained forest.
#[derive(Clone, Debug, PartialEq)]
pub struct Forest {
    /// Number of features of a row.
    pub features: usize,
    /// The trees.
    pub trees: Vec<Tree>,
}

impl Forest {
    /// The forest's score of a row: the mean of its trees' scores, 0 (not a cell) to 1 (a cell).
    pub fn predict(&self, x: &[f32]) -> f32 {
        if self.trees.is_empty() {
            return 0.0;
        }
        self.trees.iter().map(|t| t.predict(x)).sum::<f32>() / self.trees.len() as f32
    }

    /// Number of nodes over all trees.
    pub fn node_count(&self) -> usize {
        self.trees.iter().map(|t| t.nodes.len()).sum()
    }
}

/// Training rows: a matrix of features (row-major), a label and a weight per row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Samples {
    /// Number of features of a row.
    pub features: usize,
    /// `rows × features` values, row after row.
    pub x: Vec<f32>,
    /// Whether each row is a cell.
    pub y: Vec<bool>,
    /// The weight of each row (1 unless an image's rows are to weigh as much as another's).
    pub w: Vec<f32>,
}

impl Samples {
    /// No rows, with `features` features each.
    pub fn new(features: usize) -> Samples {
        Samples {
            features,
            ..Samples::default()
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Adds a row; a row of the wrong length is padded with NaN or cut.
    pub fn push(&mut self, row: &[f32], cell: bool, weight: f32) {
        let f = self.features;
        self.x
            .extend((0..f).map(|j| row.get(j).copied().unwrap_or(f32::NAN)));
        self.y.push(cell);
        self.w.push(weight);
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.x[i * self.features..(i + 1) * self.features]
    }

    /// Appends every row of `other` (of the same width).
    pub fn extend(&mut self, other: &Samples) {
        for i in 0..other.len() {
            self.push(other.row(i), other.y[i], other.w[i]);
        }
    }
}

/// A trained forest with what came out of its training.
#[derive(Clone, Debug, PartialEq)]
pub struct Trained {
    /// The forest.
    pub forest: Forest,
    /// Each training row's out-of-bag score (NaN where every tree saw the row).
    pub oob: Vec<f32>,
    /// Each feature's importance, summing to 1 (all 0 if no tree split).
    pub importance: Vec<f64>,
}

/// Deterministic 64-bit generator (SplitMix64), the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
}

/// Each feature's bin edges: value `v` is in bin `k` when `edges[k-1] <= v < edges[k]`.
struct Binned {
    /// Per feature, the thresholds between bins, ascending.
    edges: Vec<Vec<f32>>,
    /// Per row and feature (row-major), the bin; NaN goes to the last bin.
    bins: Vec<u8>,
}

fn bin_features(s: &Samples) -> Binned {
    let (n, f) = (s.len(), s.features);
    let mut edges = Vec::with_capacity(f);
    let mut bins = vec![0u8; n * f];
    let mut col: Vec<f32> = Vec::with_capacity(n);
    for j in 0..f {
        col.clear();
        col.extend((0..n).map(|i| s.x[i * f + j]).filter(|v| !v.is_nan()));
        col.sort_by(f32::total_cmp);
        let mut e: Vec<f32> = Vec::new();
        for k in 1..BINS {
            if col.is_empty() {
                break;
            }
            let v = col[(k * col.len() / BINS).min(col.len() - 1)];
            // A threshold between distinct values, above the smallest.
            if v > col[0] && e.last().is_none_or(|&l| v > l) {
                e.push(v);
            }
        }
        for i in 0..n {
            let v = s.x[i * f + j];
            bins[i * f + j] = if v.is_nan() {
                e.len() as u8
            } else {
                e.partition_point(|&t| t <= v) as u8
            };
        }
        edges.push(e);
    }
    Binned { edges, bins }
}

/// Grows a forest on `samples`. `progress(done, total)` is called after each tree; when it
/// returns false, training stops and `None` is returned.
///
/// Returns `None` too when there are no rows.
pub fn train(
    samples: &Samples,
    opts: &ForestOptions,
    mut progress: impl FnMut(usize, usize) -> bool,
) -> Option<Trained> {
    let (n, f) = (samples.len(), samples.features);
    if n == 0 || f == 0 || f > usize::from(u16::MAX) {
        return None;
    }
    let binned = bin_features(samples);
    let positives = samples.y.iter().filter(|&&c| c).count();
    let negatives = n - positives;
    let class_weight = |cell: bool| {
        let k = if cell { positives } else { negatives };
        if k == 0 {
            0.0
        } else {
            n as f64 / (2.0 * k as f64)
        }
    };
    let weight: Vec<f64> = (0..n)
        .map(|i| class_weight(samples.y[i]) * f64::from(samples.w[i].max(0.0)))
        .collect();
    let mtry = if opts.features_per_split == 0 {
        (f as f64).sqrt().ceil() as usize
    } else {
        opts.features_per_split.min(f)
    }
    .max(1);
    let mut rng = Rng(opts.seed);
    let mut trees = Vec::with_capacity(opts.trees);
    let mut importance = vec![0.0f64; f];
    let mut oob_sum = vec![0.0f64; n];
    let mut oob_n = vec![0u32; n];
    for t in 0..opts.trees {
        // The bootstrap: n draws with replacement, as multiplicities.
        let mut times = vec![0u32; n];
        for _ in 0..n {
            times[rng.below(n)] += 1;
        }
        let rows: Vec<u32> = (0..n as u32).filter(|&i| times[i as usize] > 0).collect();
        let grower = Grower {
            samples,
            binned: &binned,
            weight: &weight,
            times: &times,
            opts,
            mtry,
        };
        let tree = grower.grow(rows, &mut rng, &mut importance);
        for i in 0..n {
            if times[i] == 0 {
                oob_sum[i] += f64::from(tree.predict(samples.row(i)));
                oob_n[i] += 1;
            }
        }
        trees.push(tree);
        if !progress(t + 1, opts.trees) {
            return None;
        }
    }
    let total: f64 = importance.iter().sum();
    if total > 0.0 {
        for v in &mut importance {
            *v /= total;
        }
    }
    Some(Trained {
        forest: Forest { features: f, trees },
        oob: oob_sum
            .iter()
            .zip(&oob_n)
            .map(|(&s, &k)| {
                if k == 0 {
                    f32::NAN
                } else {
                    (s / f64::from(k)) as f32
                }
            })
            .collect(),
        importance,
    })
}

struct Grower<'a> {
    samples: &'a Samples,
    binned: &'a Binned,
    weight: &'a [f64],
    times: &'a [u32],
    opts: &'a ForestOptions,
    mtry: usize,
}

/// A node's best split: feature, bin (rows in bins `< bin` go left), impurity decrease.
struct Best {
    feature: usize,
    bin: usize,
    gain: f64,
}

impl Grower<'_> {
    fn w(&self, i: u32) -> (f64, f64) {
        let w = self.weight[i as usize] * f64::from(self.times[i as usize]);
        if self.samples.y[i as usize] {
            (0.0, w)
        } else {
            (w, 0.0)
        }
    }

    fn count(&self, rows: &[u32]) -> usize {
        rows.iter().map(|&i| self.times[i as usize] as usize).sum()
    }

    fn grow(&self, root: Vec<u32>, rng: &mut Rng, importance: &mut [f64]) -> Tree {
        let mut nodes: Vec<Node> = vec![Node::Leaf(0.0)];
        // Work list: (node index, rows, depth).
        let mut stack = vec![(0usize, root, 0usize)];
        while let Some((at, rows, depth)) = stack.pop() {
            let (w0, w1) = rows.iter().fold((0.0, 0.0), |(a, b), &i| {
                let (x, y) = self.w(i);
                (a + x, b + y)
            });
            let leaf = Node::Leaf(if w0 + w1 > 0.0 {
                (w1 / (w0 + w1)) as f32
            } else {
                0.0
            });
            let pure = w0 == 0.0 || w1 == 0.0;
            if pure || depth >= self.opts.max_depth || self.count(&rows) < 2 * self.opts.min_leaf {
                nodes[at] = leaf;
                continue;
            }
            let Some(best) = self.best_split(&rows, w0, w1, rng) else {
                nodes[at] = leaf;
                continue;
            };
            importance[best.feature] += best.gain;
            let f = self.samples.features;
            let (left, right): (Vec<u32>, Vec<u32>) = rows.into_iter().partition(|&i| {
                usize::from(self.binned.bins[i as usize * f + best.feature]) < best.bin
            });
            let (l, r) = (nodes.len(), nodes.len() + 1);
            nodes.push(Node::Leaf(0.0));
            nodes.push(Node::Leaf(0.0));
            nodes[at] = Node::Split {
                feature: best.feature as u16,
                threshold: self.binned.edges[best.feature][best.bin - 1],
                left: l as u32,
                right: r as u32,
            };
            stack.push((r, right, depth + 1));
            stack.push((l, left, depth + 1));
        }
        Tree { nodes }
    }

    fn best_split(&self, rows: &[u32], w0: f64, w1: f64, rng: &mut Rng) -> Option<Best> {
        let f = self.samples.features;
        let gini = |a: f64, b: f64| {
            let t = a + b;
            if t <= 0.0 {
                0.0
            } else {
                t - (a * a + b * b) / t
            }
        };
        let parent = gini(w0, w1);
        // A partial Fisher–Yates shuffle draws mtry distinct features.
        let mut order: Vec<usize> = (0..f).collect();
        let mut best: Option<Best> = None;
        for k in 0..self.mtry {
            let pick = k + rng.below(f - k);
            order.swap(k, pick);
            let j = order[k];
            let nb = self.binned.edges[j].len() + 1;
            if nb < 2 {
                continue;
            }
            let mut h = vec![(0.0f64, 0.0f64, 0usize); nb];
            for &i in rows {
                let b = usize::from(self.binned.bins[i as usize * f + j]);
                let (a, c) = self.w(i);
                h[b].0 += a;
                h[b].1 += c;
                h[b].2 += self.times[i as usize] as usize;
            }
            let (mut l0, mut l1, mut ln) = (0.0, 0.0, 0usize);
            let total_n: usize = h.iter().map(|e| e.2).sum();
            for (b, e) in h.iter().enumerate().take(nb - 1) {
                l0 += e.0;
                l1 += e.1;
                ln += e.2;
                if ln < self.opts.min_leaf || total_n - ln < self.opts.min_leaf {
                    continue;
                }
                let gain = parent - gini(l0, l1) - gini(w0 - l0, w1 - l1);
                if gain > 1e-12 && best.as_ref().is_none_or(|bst| gain > bst.gain) {
                    best = Some(Best {
                        feature: j,
                        bin: b + 1,
                        gain,
                    });
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::xorshift;

    fn xor_data(n: usize, seed: u64) -> Samples {
        let mut r = xorshift(seed);
        let mut s = Samples::new(3);
        for _ in 0..n {
            let a = (r() % 1000) as f32 / 1000.0;
            let b = (r() % 1000) as f32 / 1000.0;
            let noise = (r() % 1000) as f32 / 1000.0;
            s.push(&[a, b, noise], (a > 0.5) != (b > 0.5), 1.0);
        }
        s
    }

    #[test]
    fn a_forest_learns_an_xor_that_no_single_split_can() {
        let train_set = xor_data(600, 1);
        let t = train(&train_set, &ForestOptions::default(), |_, _| true).expect("rows");
        let test = xor_data(400, 2);
        let right = (0..test.len())
            .filter(|&i| (t.forest.predict(test.row(i)) >= 0.5) == test.y[i])
            .count();
        assert!(right > 370, "{right} of 400");
        // The noise feature matters least.
        assert!(t.importance[2] < t.importance[0] && t.importance[2] < t.importance[1]);
        assert!((t.importance.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(t.forest.trees.iter().all(|tr| tr.is_well_formed(3)));
        // Out-of-bag scores exist for nearly every row and are about as right.
        let oob_right = (0..train_set.len())
            .filter(|&i| (t.oob[i] >= 0.5) == train_set.y[i])
            .count();
        assert!(oob_right > 540, "{oob_right} of 600");
    }

    #[test]
    fn the_same_seed_gives_the_same_forest_and_another_seed_another() {
        let s = xor_data(200, 3);
        let a = train(&s, &ForestOptions::default(), |_, _| true);
        let b = train(&s, &ForestOptions::default(), |_, _| true);
        assert_eq!(a, b);
        let c = train(
            &s,
            &ForestOptions {
                seed: 9,
                ..ForestOptions::default()
            },
            |_, _| true,
        );
        assert_ne!(a.map(|t| t.forest), c.map(|t| t.forest));
    }

    #[test]
    fn rare_cells_are_balanced_by_weight() {
        // 20 cells (x > 0.9) among 980 others: unweighted, leaves would lean to "not a cell".
        let mut s = Samples::new(1);
        for i in 0..1000 {
            let x = i as f32 / 1000.0;
            s.push(&[x], x >= 0.98, 1.0);
        }
        let t = train(&s, &ForestOptions::default(), |_, _| true).expect("rows");
        assert!(t.forest.predict(&[0.99]) > 0.9);
        assert!(t.forest.predict(&[0.5]) < 0.1);
    }

    #[test]
    fn training_stops_when_progress_says_so_and_nothing_to_learn_gives_none() {
        let s = xor_data(100, 4);
        let mut calls = 0;
        let out = train(&s, &ForestOptions::default(), |done, total| {
            calls += 1;
            assert_eq!(total, 64);
            done < 5
        });
        assert!(out.is_none());
        assert_eq!(calls, 5);
        assert!(train(&Samples::new(3), &ForestOptions::default(), |_, _| true).is_none());
        // One class only: every leaf is that class.
        let mut one = Samples::new(1);
        one.push(&[1.0], true, 1.0);
        one.push(&[2.0], true, 1.0);
        let t = train(&one, &ForestOptions::default(), |_, _| true).expect("rows");
        assert_eq!(t.forest.predict(&[1.5]), 1.0);
    }

    #[test]
    fn nan_goes_right_and_a_hostile_tree_does_not_loop() {
        let tree = Tree {
            nodes: vec![
                Node::Split {
                    feature: 0,
                    threshold: 0.5,
                    left: 1,
                    right: 2,
                },
                Node::Leaf(0.0),
                Node::Leaf(1.0),
            ],
        };
        assert_eq!(tree.predict(&[f32::NAN]), 1.0);
        assert_eq!(tree.predict(&[0.1]), 0.0);
        assert_eq!(tree.predict(&[]), 1.0, "a missing feature is NaN");
        let looping = Tree {
            nodes: vec![Node::Split {
                feature: 0,
                threshold: 0.5,
                left: 0,
                right: 0,
            }],
        };
        assert!(!looping.is_well_formed(1));
        assert_eq!(looping.predict(&[0.0]), 0.0);
    }
}
