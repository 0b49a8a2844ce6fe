//! Compares our forest (fluocount's src/count/learn/forest.rs, read in place) with
//! smartcore's RandomForestClassifier and a bag of linfa-trees DecisionTrees.
//! Usage: cargo run --release -- /tmp/dump
#[allow(dead_code)] // some of its API is unused here
#[path = "../../../src/count/learn/forest.rs"]
mod forest;

use std::time::Instant;

type Rows = Vec<Vec<f32>>;

fn load(path: &std::path::Path) -> (Rows, Vec<bool>) {
    let text = std::fs::read_to_string(path).expect("csv");
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
        let v: Vec<f32> = line.split(',').map(|s| s.trim().parse().unwrap_or(f32::NAN)).collect();
        y.push(v[0] == 1.0);
        x.push(v[1..].to_vec());
    }
    (x, y)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

const RUNS: usize = 7;
const TREES: usize = 64;
const DEPTH: usize = 6;
const LEAF: usize = 3;
const SEED: u64 = 7;

/// One implementation: trains on rows, returns a scorer (score 0..1 per row; for the crates that
/// only vote, the score is the fraction of trees voting "cell" or the 0/1 majority).
trait Model {
    const NAME: &'static str;
    type M;
    fn train(x: &Rows, y: &[bool], seed: u64) -> Self::M;
    fn score(m: &Self::M, x: &Rows) -> Vec<f32>;
}

struct Ours;
impl Model for Ours {
    const NAME: &'static str = "ours (forest.rs)";
    type M = forest::Forest;
    fn train(x: &Rows, y: &[bool], seed: u64) -> Self::M {
        let mut s = forest::Samples::new(x[0].len());
        for (r, &c) in x.iter().zip(y) {
            s.push(r, c, 1.0);
        }
        let o = forest::ForestOptions { trees: TREES, max_depth: DEPTH, min_leaf: LEAF, features_per_split: 0, seed };
        forest::train(&s, &o, |_, _| true).expect("rows").forest
    }
    fn score(m: &Self::M, x: &Rows) -> Vec<f32> {
        x.iter().map(|r| m.predict(r)).collect()
    }
}

struct Smart;
impl Model for Smart {
    const NAME: &'static str = "smartcore 0.4.10 RandomForestClassifier";
    type M = smartcore::ensemble::random_forest_classifier::RandomForestClassifier<
        f32, u32, smartcore::linalg::basic::matrix::DenseMatrix<f32>, Vec<u32>>;
    fn train(x: &Rows, y: &[bool], seed: u64) -> Self::M {
        use smartcore::ensemble::random_forest_classifier::*;
        let xm = smartcore::linalg::basic::matrix::DenseMatrix::from_2d_vec(x).unwrap();
        let yv: Vec<u32> = y.iter().map(|&c| c as u32).collect();
        let p = RandomForestClassifierParameters::default()
            .with_n_trees(TREES as u16)
            .with_max_depth(DEPTH as u16)
            .with_min_samples_leaf(LEAF)
            .with_m((x[0].len() as f64).sqrt().ceil() as usize) // ⌈√f⌉ as ours (default ⌊√f⌋)
            .with_seed(seed);
        RandomForestClassifier::fit(&xm, &yv, p).unwrap()
    }
    fn score(m: &Self::M, x: &Rows) -> Vec<f32> {
        // Only a majority vote is exposed (no predict_proba on the forest): score is 0 or 1.
        let xm = smartcore::linalg::basic::matrix::DenseMatrix::from_2d_vec(x).unwrap();
        m.predict(&xm).unwrap().into_iter().map(|c| c as f32).collect()
    }
}

/// linfa-trees has no forest: bag `TREES` DecisionTrees on bootstraps (all features per split,
/// linfa has no per-split feature sampling), class-balanced sample weights as ours.
struct Linfa;
impl Model for Linfa {
    const NAME: &'static str = "linfa-trees 0.8.1 DecisionTree, bagged";
    type M = Vec<linfa_trees::DecisionTree<f32, usize>>;
    fn train(x: &Rows, y: &[bool], seed: u64) -> Self::M {
        use linfa::prelude::*;
        let (n, f) = (x.len(), x[0].len());
        let pos = y.iter().filter(|&&c| c).count() as f32;
        let cw = |c: bool| n as f32 / (2.0 * if c { pos } else { n as f32 - pos });
        let mut state = seed;
        let mut below = |k: usize| {
            // SplitMix64, as ours.
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (((z ^ (z >> 31)) as u128 * k as u128) >> 64) as usize
        };
        let params = linfa_trees::DecisionTree::params()
            .max_depth(Some(DEPTH))
            .min_weight_leaf(LEAF as f32);
        (0..TREES)
            .map(|_| {
                let idx: Vec<usize> = (0..n).map(|_| below(n)).collect();
                let rec = ndarray::Array2::from_shape_fn((n, f), |(i, j)| x[idx[i]][j]);
                let tgt = ndarray::Array1::from_iter(idx.iter().map(|&i| y[i] as usize));
                let w = ndarray::Array1::from_iter(idx.iter().map(|&i| cw(y[i])));
                params.fit(&Dataset::new(rec, tgt).with_weights(w)).unwrap()
            })
            .collect()
    }
    fn score(m: &Self::M, x: &Rows) -> Vec<f32> {
        use linfa::prelude::*;
        let f = x[0].len();
        let rec = ndarray::Array2::from_shape_fn((x.len(), f), |(i, j)| x[i][j]);
        let mut votes = vec![0f32; x.len()];
        for t in m {
            for (v, p) in votes.iter_mut().zip(t.predict(&rec).iter()) {
                *v += *p as f32;
            }
        }
        votes.iter().map(|v| v / m.len() as f32).collect()
    }
}

/// AUC by the rank-sum (ties count half).
fn auc(s: &[f32], y: &[bool]) -> f64 {
    let (mut num, mut pairs) = (0.0, 0.0);
    for (&a, _) in s.iter().zip(y).filter(|(_, &c)| c) {
        for (&b, _) in s.iter().zip(y).filter(|(_, &c)| !c) {
            pairs += 1.0;
            num += if a > b { 1.0 } else if a == b { 0.5 } else { 0.0 };
        }
    }
    num / pairs
}

fn report<M: Model>(big: &(Rows, Vec<bool>), files: &[(String, Rows, Vec<bool>)]) {
    let (x, y) = big;
    let test: Rows = x[..300].to_vec();
    let mut train_ms = Vec::new();
    let mut model = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        model = Some(M::train(x, y, SEED));
        train_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let model = model.unwrap();
    let predict_us: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(M::score(&model, &test));
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    // Determinism: same seed twice, then another seed (compared by scores on all rows).
    let same = M::score(&M::train(x, y, SEED), x) == M::score(&model, x);
    let differs = M::score(&M::train(x, y, SEED + 1), x) != M::score(&model, x);
    println!("## {}", M::NAME);
    println!("train {} rows x {} features: median {:.1} ms  (runs: {:?})", x.len(), x[0].len(),
        median(train_ms.clone()), train_ms.iter().map(|v| v.round()).collect::<Vec<_>>());
    println!("predict 300 rows: median {:.0} µs; sum of their scores {:.2} (compare with wasm/bench.mjs)",
        median(predict_us), M::score(&model, &test).iter().sum::<f32>());
    println!("same seed -> same scores: {same}; other seed -> different: {differs}");
    // Leave one real file out; train on the other real files + all hard-*.
    println!("held-out file                       rows cells   AUC   acc@0.5  recall  precision");
    for (name, hx, hy) in files.iter().filter(|(n, _, _)| !n.starts_with("hard-")) {
        let (mut tx, mut ty) = (Vec::new(), Vec::new());
        for (_, fx, fy) in files.iter().filter(|(n, _, _)| n != name) {
            tx.extend(fx.iter().cloned());
            ty.extend(fy.iter().copied());
        }
        let m = M::train(&tx, &ty, SEED);
        let s = M::score(&m, hx);
        let pred: Vec<bool> = s.iter().map(|&v| v >= 0.5).collect();
        let tp = pred.iter().zip(hy).filter(|(p, t)| **p && **t).count();
        let right = pred.iter().zip(hy).filter(|(p, t)| p == t).count();
        let cells = hy.iter().filter(|&&c| c).count();
        let npred = pred.iter().filter(|&&p| p).count();
        println!("{:34} {:4} {:5} {:5.3} {:8.3} {:7.3} {:9.3}", &name[..name.len().min(34)], hx.len(), cells,
            auc(&s, hy), right as f64 / hx.len() as f64, tp as f64 / cells.max(1) as f64,
            tp as f64 / npred.max(1) as f64);
    }
    println!();
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "/tmp/dump".into());
    let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv")).collect();
    paths.sort();
    let files: Vec<(String, Rows, Vec<bool>)> = paths.iter().map(|p| {
        let (x, y) = load(p);
        (p.file_name().unwrap().to_string_lossy().into_owned(), x, y)
    }).collect();
    // All rows, repeated (in file order) up to 5,000.
    let all: Vec<(&Vec<f32>, bool)> = files.iter().flat_map(|(_, x, y)| x.iter().zip(y.iter().copied())).collect();
    let big: (Rows, Vec<bool>) = (0..5000).map(|i| (all[i % all.len()].0.clone(), all[i % all.len()].1)).unzip();
    println!("{} files, {} distinct rows, {} training rows ({} cells), {} features\n", files.len(), all.len(),
        big.0.len(), big.1.iter().filter(|&&c| c).count(), big.0[0].len());
    let only = std::env::args().nth(2).unwrap_or_default();
    if only.is_empty() || only == "ours" { report::<Ours>(&big, &files); }
    if only.is_empty() || only == "smartcore" { report::<Smart>(&big, &files); }
    if only.is_empty() || only == "linfa" { report::<Linfa>(&big, &files); }
}
