//! Images with their ground-truth masks, as `eval`, `tune` and `train` read them, and the lines
//! their scores print as.

use super::{image_files, load_image, load_mask, parallel_map};
use crate::{
    count::{
        pairing::{Role, pair},
        scoring::{ImageScore, Pooled, check_size},
    },
    imaging::{BitMask, Image},
};
use std::path::{Path, PathBuf};

/// Image paths with their mask paths, paired by name; unpaired files are reported.
pub(super) fn pairs(
    images: &Path,
    masks: &Path,
) -> Result<(Vec<(PathBuf, PathBuf)>, bool), String> {
    // One folder for both: its files pair by name alone (`x.png` with `x_mask.png`).
    let same = images
        .canonicalize()
        .ok()
        .is_some_and(|i| masks.canonicalize().ok() == Some(i));
    let image_list = image_files(images)?;
    let mask_list = if same {
        Vec::new()
    } else {
        image_files(masks)?
    };
    let name = |p: &Path| {
        p.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    };
    // The dataset's layout: images/NAME beside masks/NAME.
    let mut names: Vec<String> = image_list
        .iter()
        .map(|p| {
            if same {
                name(p)
            } else {
                format!("images/{}", name(p))
            }
        })
        .collect();
    names.extend(mask_list.iter().map(|p| format!("masks/{}", name(p))));
    let pairing = pair(&names);
    let n = image_list.len();
    let mut out = Vec::new();
    let mut incomplete = false;
    for (k, path) in image_list.iter().enumerate() {
        match (pairing.roles[k], pairing.mask_of[k]) {
            (Role::Image, Some(m)) => {
                let mask = if same {
                    &image_list[m]
                } else {
                    &mask_list[m - n]
                };
                out.push((path.clone(), mask.clone()));
            }
            (Role::Image, None) => {
                incomplete = true;
                eprintln!(
                    "{}: no mask in {}; skipped",
                    path.display(),
                    masks.display()
                );
            }
            // In one folder, a mask is met among the images: paired or reported below.
            (Role::Mask, _) if same => {}
            (Role::Mask, _) => {
                incomplete = true;
                eprintln!(
                    "{}: looks like a mask, not an image; skipped",
                    path.display()
                );
            }
        }
    }
    for &m in &pairing.unpaired_masks {
        let mask = if same {
            image_list.get(m)
        } else {
            m.checked_sub(n).and_then(|k| mask_list.get(k))
        };
        if let Some(mask) = mask {
            incomplete = true;
            eprintln!("{}: no image with this name; skipped", mask.display());
        }
    }
    if out.is_empty() {
        return Err(format!(
            "no image in {} has a mask in {}",
            images.display(),
            masks.display()
        ));
    }
    Ok((out, incomplete))
}

/// An image with its mask.
pub(super) struct Sample {
    pub(super) path: PathBuf,
    pub(super) image: Image,
    pub(super) truth: BitMask,
}

/// Reads every pair; a file that cannot be read is reported and left out (the flag says so).
pub(super) fn load_samples(list: &[(PathBuf, PathBuf)]) -> (Vec<Sample>, bool) {
    let loaded = parallel_map(list, |(img, mask)| -> Result<Sample, String> {
        let image = load_image(img)?;
        let truth = load_mask(mask)?;
        check_size(
            (image.width(), image.height()),
            (truth.width(), truth.height()),
        )
        .map_err(|e| {
            format!(
                "{}: {}",
                mask.display(),
                e.explain(Some(&img.display().to_string()))
            )
        })?;
        Ok(Sample {
            path: img.clone(),
            image,
            truth,
        })
    });
    let mut failed = false;
    let samples = loaded
        .into_iter()
        .filter_map(|r| {
            r.map_err(|e| {
                failed = true;
                eprintln!("{e}");
            })
            .ok()
        })
        .collect();
    (samples, failed)
}

/// A figure with four decimals (`nan` when undefined).
pub(super) fn f(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else {
        format!("{x:.4}")
    }
}

/// The fields of one image's row after its file name: collection, true, pred, tp, fp, fn,
/// precision, recall, f1, abs_error.
pub(super) fn score_fields(collection: &str, sc: &ImageScore) -> String {
    format!(
        "{collection},{},{},{},{},{},{},{},{},{}",
        sc.true_count,
        sc.pred_count,
        sc.tp,
        sc.fp,
        sc.fn_,
        f(sc.precision()),
        f(sc.recall()),
        f(sc.f1()),
        sc.abs_error()
    )
}

/// The pooled figures' comment line.
pub(super) fn pooled_lines(label: &str, p: &Pooled) -> String {
    format!(
        "# pooled {label}: images={} true={} pred={} TP={} FP={} FN={} precision={} recall={} F1={} MAE={} MedAE={} MPE={}",
        p.n_images,
        p.true_count,
        p.pred_count,
        p.tp,
        p.fp,
        p.fn_,
        f(p.precision()),
        f(p.recall()),
        f(p.f1()),
        f(p.mae),
        f(p.medae),
        p.mpe.map_or_else(|| "n/a".into(), f)
    )
}
