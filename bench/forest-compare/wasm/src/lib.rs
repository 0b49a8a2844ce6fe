//! Two exported fns: `train` fits a model on `rows` rows of `[label, features...]` (f32, at `ptr`)
//! and keeps it; `predict` scores rows of the same layout and returns the sum of the scores.
//! Built once per feature to compare the .wasm sizes, and timed under node (bench.mjs).
//! Same parameters as ../src/main.rs.
#[cfg(feature = "ours")]
#[allow(dead_code)]
#[path = "../../../../src/count/learn/forest.rs"]
mod forest;

/// Room for `n` f32s, for the host to fill.
#[no_mangle]
pub extern "C" fn alloc(n: usize) -> *mut f32 {
    let mut v = vec![0f32; n];
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

type Scorer = Box<dyn Fn(&[Vec<f32>]) -> Vec<f32>>;

thread_local! {
    static MODEL: std::cell::RefCell<Option<Scorer>> = const { std::cell::RefCell::new(None) };
}

fn rows_of(ptr: *const f32, rows: usize, width: usize) -> (Vec<Vec<f32>>, Vec<bool>) {
    let data = unsafe { std::slice::from_raw_parts(ptr, rows * width) };
    let y = (0..rows).map(|i| data[i * width] == 1.0).collect();
    let x = (0..rows).map(|i| data[i * width + 1..(i + 1) * width].to_vec()).collect();
    (x, y)
}

#[no_mangle]
pub extern "C" fn train(ptr: *const f32, rows: usize, width: usize, seed: u32) {
    let (x, y) = rows_of(ptr, rows, width);
    let m = fit(x, y, u64::from(seed));
    MODEL.with(|c| *c.borrow_mut() = Some(m));
}

#[no_mangle]
pub extern "C" fn predict(ptr: *const f32, rows: usize, width: usize) -> f32 {
    let (x, _) = rows_of(ptr, rows, width);
    MODEL.with(|c| c.borrow().as_ref().map_or(f32::NAN, |m| m(&x).iter().sum()))
}

#[cfg(not(any(feature = "ours", feature = "smartcore", feature = "linfa")))]
fn fit(_x: Vec<Vec<f32>>, y: Vec<bool>, _seed: u64) -> Scorer {
    Box::new(move |t| t.iter().zip(&y).map(|(r, &c)| r[0] + c as u8 as f32).collect())
}

#[cfg(feature = "ours")]
fn fit(x: Vec<Vec<f32>>, y: Vec<bool>, seed: u64) -> Scorer {
    let mut s = forest::Samples::new(x[0].len());
    for (r, &c) in x.iter().zip(&y) {
        s.push(r, c, 1.0);
    }
    let o = forest::ForestOptions { trees: 64, max_depth: 6, min_leaf: 3, features_per_split: 0, seed };
    let f = forest::train(&s, &o, |_, _| true).expect("rows").forest;
    Box::new(move |t| t.iter().map(|r| f.predict(r)).collect())
}

#[cfg(feature = "smartcore")]
fn fit(x: Vec<Vec<f32>>, y: Vec<bool>, seed: u64) -> Scorer {
    use smartcore::ensemble::random_forest_classifier::*;
    use smartcore::linalg::basic::matrix::DenseMatrix;
    let xm = DenseMatrix::from_2d_vec(&x).unwrap();
    let yv: Vec<u32> = y.iter().map(|&c| c as u32).collect();
    let p = RandomForestClassifierParameters::default()
        .with_n_trees(64).with_max_depth(6).with_min_samples_leaf(3)
        .with_m((x[0].len() as f64).sqrt().ceil() as usize).with_seed(seed);
    let m = RandomForestClassifier::fit(&xm, &yv, p).unwrap();
    Box::new(move |t| {
        let tm = DenseMatrix::from_2d_vec(&t.to_vec()).unwrap();
        m.predict(&tm).unwrap().into_iter().map(|c| c as f32).collect()
    })
}

#[cfg(feature = "linfa")]
fn fit(x: Vec<Vec<f32>>, y: Vec<bool>, seed: u64) -> Scorer {
    use linfa::prelude::*;
    let (n, f) = (x.len(), x[0].len());
    let pos = y.iter().filter(|&&c| c).count() as f32;
    let cw = |c: bool| n as f32 / (2.0 * if c { pos } else { n as f32 - pos });
    let mut state = seed;
    let mut below = |k: usize| {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (((z ^ (z >> 31)) as u128 * k as u128) >> 64) as usize
    };
    let params = linfa_trees::DecisionTree::params().max_depth(Some(6)).min_weight_leaf(3.0);
    let mut trees = Vec::new();
    for _ in 0..64 {
        let idx: Vec<usize> = (0..n).map(|_| below(n)).collect();
        let r = ndarray::Array2::from_shape_fn((n, f), |(i, j)| x[idx[i]][j]);
        let t = ndarray::Array1::from_iter(idx.iter().map(|&i| y[i] as usize));
        let w = ndarray::Array1::from_iter(idx.iter().map(|&i| cw(y[i])));
        trees.push(params.fit(&Dataset::new(r, t).with_weights(w)).unwrap());
    }
    Box::new(move |t| {
        let rec = ndarray::Array2::from_shape_fn((t.len(), f), |(i, j)| t[i][j]);
        let mut votes = vec![0f32; t.len()];
        for tree in &trees {
            for (v, p) in votes.iter_mut().zip(tree.predict(&rec).iter()) {
                *v += *p as f32 / 64.0;
            }
        }
        votes
    })
}
