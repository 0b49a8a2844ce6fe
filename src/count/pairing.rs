//! Pairing dropped files into images and their ground-truth masks, by name.
//!
//! Paths come as the browser gives them: a `webkitRelativePath` such as `data/images/a.png` when a
//! folder is dropped, or a bare file name such as `a_mask.png`. They are split on `/` (and on `\`,
//! for paths written on Windows). Telling image files from other files is the caller's job: every
//! path given is taken as an image or a mask.
//!
//! The rules, in order:
//! 1. **Role.** A file is a mask if one of its directory components (not the file name) is `masks`,
//!    `mask`, `ground_truth`, `ground_truths`, `gt` or `labels`, or if its stem ends with `_mask`,
//!    `-mask`, `_masks`, ` mask`, `_gt`, `_label` or `_labels`; both case-insensitively. Any other
//!    file is an image.
//! 2. **Key.** A mask's key is its stem without that suffix (if it has one), an image's is its stem
//!    ([`stem`]: the file name up to its last dot). Keys compare case-insensitively and extensions
//!    are ignored, so `a.tif` pairs with `a_mask.png`, and `Data/Masks/a.png` with `data/images/A.PNG`.
//! 3. **One candidate.** A mask pairs with the only image of the same key, wherever it lies.
//! 4. **Several candidates.** Among several images of that key, the mask takes the one whose
//!    directory is the mask's own with its mask folders replaced by `images`, a run of consecutive
//!    mask folders becoming one `images`: `data/masks/a.png` → `data/images/a.png`, and in the v2
//!    release `yellow/trainval/ground_truths/masks/1.png` → `yellow/trainval/images/1.png` (its
//!    numbered names repeat across collections and splits). A mask named by suffix outside a mask
//!    folder takes the image in its own folder. If the images that fit are one file in several
//!    formats (the same path but for the extension, such as `x.png` and its camera `x.JPG`), the
//!    mask pairs with each of them. If no image fits, or several that differ otherwise, the mask
//!    stays unpaired (ambiguous). (The v1 release's `all_masks/masks/` beside `all_images/images/` does
//!    not fit this rule, but its names are unique, so rule 3 pairs it.)
//! 5. **One mask per image.** When several masks pick the same image, none of them is paired.
//! 6. **A label image by itself is an image.** A file that is a mask only by a `_label` or
//!    `_labels` suffix (the name Fluocount, and many tools, give exported label images) and that
//!    finds no image is an image after all: a label image dropped by itself is there to be looked
//!    at, not to wait for an image. Beside its image it is that image's mask, as before.

use std::collections::HashMap;

/// Directory names that mark their files as masks (compared case-insensitively).
const MASK_DIRS: [&str; 6] = [
    "masks",
    "mask",
    "ground_truth",
    "ground_truths",
    "gt",
    "labels",
];

/// Stem endings that mark a file as a mask (compared case-insensitively).
const MASK_SUFFIXES: [&str; 7] = [
    "_mask", "-mask", "_masks", " mask", "_gt", "_label", "_labels",
];

/// What a dropped file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// An image to analyse.
    Image,
    /// A ground-truth mask.
    Mask,
}

/// The outcome of [`pair`], indexed like its input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pairing {
    /// The role of each input.
    pub roles: Vec<Role>,
    /// For an image, the index of its mask; `None` for masks and for images without a mask.
    pub mask_of: Vec<Option<usize>>,
    /// For a mask, the index of its image (the first, if it pairs with one file in several
    /// formats: `mask_of` names every image that takes it); `None` for images and unpaired masks.
    pub image_of: Vec<Option<usize>>,
    /// The masks without an image (unmatched or ambiguous), in input order.
    pub unpaired_masks: Vec<usize>,
}

impl Pairing {
    /// The (image, mask) index pairs, in input order of the images.
    pub fn pairs(&self) -> Vec<(usize, usize)> {
        self.mask_of
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.map(|m| (i, m)))
            .collect()
    }
}

/// The last component of a path.
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The file name without its last extension: `a.b.png` → `a.b`; a leading dot is not an extension
/// (`.hidden` → `.hidden`).
pub fn stem(path: &str) -> &str {
    let name = file_name(path);
    match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

/// The directory components of a path, without empty and `.` components.
fn dirs(path: &str) -> impl Iterator<Item = &str> {
    let mut parts: Vec<&str> = path.split(['/', '\\']).collect();
    parts.pop();
    parts.into_iter().filter(|c| !c.is_empty() && *c != ".")
}

fn is_mask_dir(component: &str) -> bool {
    MASK_DIRS.iter().any(|d| component.eq_ignore_ascii_case(d))
}

/// The stem without its mask suffix, if it has one.
fn strip_mask_suffix(stem: &str) -> Option<&str> {
    MASK_SUFFIXES.iter().find_map(|s| {
        let cut = stem.len().checked_sub(s.len())?;
        // The suffixes are ASCII, so a byte match starts on a character boundary.
        stem.as_bytes()[cut..]
            .eq_ignore_ascii_case(s.as_bytes())
            .then(|| &stem[..cut])
    })
}

/// The role of one file by rule 1 of the [module rules](self).
pub fn role(path: &str) -> Role {
    if dirs(path).any(is_mask_dir) || strip_mask_suffix(stem(path)).is_some() {
        Role::Mask
    } else {
        Role::Image
    }
}

/// The role and the lower-case pairing key of one file.
fn classify(path: &str) -> (Role, String) {
    let (r, s) = (role(path), stem(path));
    let key = match r {
        Role::Mask => strip_mask_suffix(s).unwrap_or(s),
        Role::Image => s,
    };
    (r, key.to_lowercase())
}

/// The lower-case directory of a path.
fn lower_dirs(path: &str) -> Vec<String> {
    dirs(path).map(str::to_lowercase).collect()
}

/// The directory where a mask's image is expected: each run of mask folders replaced by `images`.
fn image_dirs_for_mask(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_mask_run = false;
    for c in dirs(path) {
        if is_mask_dir(c) {
            if !in_mask_run {
                out.push("images".to_owned());
            }
            in_mask_run = true;
        } else {
            out.push(c.to_lowercase());
            in_mask_run = false;
        }
    }
    out
}

/// Sorts dropped files into images and masks and pairs them by the [module rules](self).
///
/// ```
/// use fluocount::count::pairing::{pair, Role};
/// let p = pair(&["data/images/a.png", "data/masks/a.png", "b.tif", "b_mask.png", "c_gt.png"]);
/// assert_eq!(p.roles[1], Role::Mask);
/// assert_eq!(p.pairs(), vec![(0, 1), (2, 3)]);
/// assert_eq!(p.unpaired_masks, vec![4]);
/// ```
pub fn pair<S: AsRef<str>>(paths: &[S]) -> Pairing {
    let n = paths.len();
    let info: Vec<(Role, String)> = paths.iter().map(|p| classify(p.as_ref())).collect();
    let mut images: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (role, key)) in info.iter().enumerate() {
        if *role == Role::Image {
            images.entry(key.as_str()).or_default().push(i);
        }
    }
    let mut choice: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut claims = vec![0u32; n];
    for (i, (role, key)) in info.iter().enumerate() {
        if *role != Role::Mask {
            continue;
        }
        let candidates = images.get(key.as_str()).map_or(&[][..], Vec::as_slice);
        let chosen: Vec<usize> = match candidates {
            [] => Vec::new(),
            [only] => vec![*only],
            many => {
                let want = image_dirs_for_mask(paths[i].as_ref());
                let fits: Vec<usize> = many
                    .iter()
                    .copied()
                    .filter(|&j| lower_dirs(paths[j].as_ref()) == want)
                    .collect();
                // Images that fit are one file in several formats when they share their path but
                // for the extension (the key already matches, so the folder decides).
                let one_file = fits
                    .windows(2)
                    .all(|w| lower_dirs(paths[w[0]].as_ref()) == lower_dirs(paths[w[1]].as_ref()));
                if fits.len() == 1 || one_file {
                    fits
                } else {
                    Vec::new()
                }
            }
        };
        for &j in &chosen {
            claims[j] += 1;
        }
        choice[i] = chosen;
    }
    let mut out = Pairing {
        roles: info.iter().map(|(r, _)| *r).collect(),
        mask_of: vec![None; n],
        image_of: vec![None; n],
        unpaired_masks: Vec::new(),
    };
    for (i, (role, key)) in info.iter().enumerate() {
        if *role != Role::Mask {
            continue;
        }
        let taken: Vec<usize> = choice[i]
            .iter()
            .copied()
            .filter(|&j| claims[j] == 1)
            .collect();
        if taken.is_empty() {
            let path = paths[i].as_ref();
            let label_by_name_only = !dirs(path).any(is_mask_dir)
                && !images.contains_key(key.as_str())
                && ["_label", "_labels"].iter().any(|s| {
                    let st = stem(path);
                    st.len() >= s.len()
                        && st.as_bytes()[st.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes())
                });
            if label_by_name_only {
                out.roles[i] = Role::Image;
            } else {
                out.unpaired_masks.push(i);
            }
            continue;
        }
        out.image_of[i] = taken.first().copied();
        for j in taken {
            out.mask_of[j] = Some(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mask_pairs_with_each_format_of_one_file() {
        let p = pair(&["x.png", "x.JPG", "x_mask.png"]);
        assert_eq!(p.pairs(), vec![(0, 2), (1, 2)]);
        assert_eq!(p.image_of[2], Some(0));
        assert!(p.unpaired_masks.is_empty());
        // Two files of one key in different folders stay ambiguous for a suffix mask elsewhere.
        let q = pair(&["a/x.png", "b/x.png", "x_mask.png"]);
        assert_eq!(q.pairs(), vec![]);
        assert_eq!(q.unpaired_masks, vec![2]);
        // In a dataset folder the mask takes the file(s) of its images folder.
        let r = pair(&[
            "d/images/x.png",
            "d/images/x.tif",
            "e/images/x.png",
            "d/masks/x.png",
        ]);
        assert_eq!(r.pairs(), vec![(0, 3), (1, 3)]);
    }

    #[test]
    fn a_label_image_by_itself_is_an_image_and_beside_its_image_a_mask() {
        let alone = pair(&["cells_labels.png", "other.png"]);
        assert_eq!(alone.roles, vec![Role::Image, Role::Image]);
        assert!(alone.unpaired_masks.is_empty());
        let beside = pair(&["cells.png", "cells_labels.png"]);
        assert_eq!(beside.roles[1], Role::Mask);
        assert_eq!(beside.pairs(), vec![(0, 1)]);
        // Other mask names still wait for their image, and so does a label file in a mask folder.
        let waiting = pair(&["cells_mask.png", "labels/cells_labels.png"]);
        assert_eq!(waiting.roles, vec![Role::Mask, Role::Mask]);
        assert_eq!(waiting.unpaired_masks, vec![0, 1]);
        // Two masks for one image: neither pairs, and a label one becomes no image either.
        let two = pair(&["c.png", "c_mask.png", "c_labels.png"]);
        assert_eq!(two.pairs(), vec![]);
        assert_eq!(two.unpaired_masks, vec![1, 2]);
    }

    #[test]
    fn stems() {
        assert_eq!(stem("a.png"), "a");
        assert_eq!(stem("data/images/a.b.c.png"), "a.b.c");
        assert_eq!(stem("noext"), "noext");
        assert_eq!(stem(".hidden"), ".hidden");
        assert_eq!(stem("dir.v2/file"), "file");
        assert_eq!(stem(r"C:\data\masks\x.tif"), "x");
        assert_eq!(file_name("a/b/c.png"), "c.png");
        assert_eq!(file_name("c.png"), "c.png");
    }

    #[test]
    fn mask_folders_mark_masks_case_insensitively() {
        for p in [
            "data/masks/a.png",
            "Data/Masks/a.png",
            "mask/a.png",
            "GT/a.png",
            "x/ground_truth/a.png",
            "v2/ground_truths/masks/a.png",
            "labels/a.png",
        ] {
            assert_eq!(role(p), Role::Mask, "{p}");
        }
        // Only directories count, and only whole components.
        for p in [
            "masks.png",
            "data/images/labels.png",
            "my_masks/a.png",
            "data/images/a.png",
        ] {
            assert_eq!(role(p), Role::Image, "{p}");
        }
    }

    #[test]
    fn every_suffix_marks_a_mask_and_is_stripped_for_pairing() {
        let files = [
            "a.png",
            "a_mask.png",
            "b.png",
            "b-mask.png",
            "c.png",
            "c_masks.png",
            "d.png",
            "d mask.png",
            "e.png",
            "e_gt.png",
            "f.png",
            "f_label.png",
            "g.png",
            "g_labels.png",
            "h.png",
            "H_MASK.PNG",
        ];
        let p = pair(&files);
        let expect: Vec<(usize, usize)> = (0..8).map(|k| (2 * k, 2 * k + 1)).collect();
        assert_eq!(p.pairs(), expect);
        assert!(p.unpaired_masks.is_empty());
        // Near misses are images.
        for f in ["amask.png", "a_masked.png", "a_gt2.png", "mask.png"] {
            assert_eq!(role(f), Role::Image, "{f}");
        }
    }

    #[test]
    fn the_dataset_layout_pairs_by_folder() {
        let p = pair(&["data/images/a.png", "data/masks/a.png", "data/images/b.png"]);
        assert_eq!(p.roles, vec![Role::Image, Role::Mask, Role::Image]);
        assert_eq!(p.mask_of, vec![Some(1), None, None]);
        assert_eq!(p.image_of, vec![None, Some(0), None]);
        assert!(p.unpaired_masks.is_empty());
    }

    #[test]
    fn extensions_and_case_may_differ() {
        let p = pair(&["x_mask.png", "X.tif"]);
        assert_eq!(p.pairs(), vec![(1, 0)]);
    }

    #[test]
    fn names_with_dots() {
        let p = pair(&["img.2021.05.png", "img.2021.05_mask.png", "img.2021.png"]);
        assert_eq!(p.pairs(), vec![(0, 1)]);
        assert_eq!(p.mask_of[2], None);
    }

    #[test]
    fn several_images_of_one_stem_resolve_by_swapping_masks_for_images() {
        let p = pair(&["set2/images/a.png", "set1/images/a.png", "set1/masks/a.png"]);
        assert_eq!(p.pairs(), vec![(1, 2)]);
        // The v2 layout, where numbered names repeat across collections and splits.
        let p = pair(&[
            "red/trainval/images/1.png",
            "yellow/test/images/1.png",
            "yellow/trainval/images/1.png",
            "yellow/trainval/ground_truths/masks/1.png",
        ]);
        assert_eq!(p.pairs(), vec![(2, 3)]);
        // A suffix-named mask outside a mask folder looks in its own folder.
        let p = pair(&["x/a.png", "y/a.png", "y/a_mask.png"]);
        assert_eq!(p.pairs(), vec![(1, 2)]);
    }

    #[test]
    fn ambiguous_masks_stay_unpaired() {
        // Two images named a, and the mask's folder points at neither.
        let p = pair(&["x/a.png", "y/a.png", "a_mask.png"]);
        assert_eq!(p.pairs(), vec![]);
        assert_eq!(p.unpaired_masks, vec![2]);
        // Two masks for one image: neither is paired.
        let p = pair(&["a.png", "a_mask.png", "masks/a.png"]);
        assert_eq!(p.pairs(), vec![]);
        assert_eq!(p.unpaired_masks, vec![1, 2]);
        assert_eq!(p.image_of, vec![None; 3]);
    }

    #[test]
    fn unmatched_files() {
        let p = pair(&["z_mask.png", "q.png", "masks/r.png"]);
        assert_eq!(p.roles, vec![Role::Mask, Role::Image, Role::Mask]);
        assert_eq!(p.unpaired_masks, vec![0, 2]);
        assert_eq!(p.mask_of, vec![None; 3]);
        assert_eq!(pair::<&str>(&[]), Pairing::default());
    }
}
