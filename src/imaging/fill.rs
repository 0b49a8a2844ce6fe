//! Filling holes: background regions that do not reach the image border become foreground.

use crate::imaging::{
    bitmask::BitMask,
    label::{Connectivity, label, set_range},
};

/// Fills holes, as ImageJ's Process > Binary > Fill Holes: background is flooded from the border
/// with 4-connectivity, and every background pixel it does not reach becomes foreground.
///
/// ```
/// let m = fluocount::bitmask!["#####", "#...#", "#####"];
/// assert_eq!(fluocount::imaging::fill::fill_holes(&m).count_ones(), 15);
/// ```
pub fn fill_holes(mask: &BitMask) -> BitMask {
    let background = label(&mask.inverted(), Connectivity::Four);
    let (w, h) = (mask.width(), mask.height());
    let mut reaches_border = vec![false; background.count as usize + 1];
    for (run, &l) in background.runs.iter().zip(&background.labels) {
        if run.y == 0 || run.y + 1 == h || run.x0 == 0 || run.x1 == w {
            reaches_border[l as usize] = true;
        }
    }
    let mut out = mask.clone();
    for (run, &l) in background.runs.iter().zip(&background.labels) {
        if !reaches_border[l as usize] {
            set_range(out.row_mut(run.y), run.x0, run.x1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitmask;

    #[test]
    fn fills_enclosed_hole_keeps_open_bay() {
        let m = bitmask!["######..", "#..#.#..", "######..", "...#.#..", "...#.#..",];
        let f = fill_holes(&m);
        assert_eq!(
            f,
            bitmask!["######..", "######..", "######..", "...#.#..", "...#.#..",]
        );
    }

    #[test]
    fn diagonal_gap_does_not_leak_with_four_connected_background() {
        // The hole touches the outside only through a corner: it is still a hole.
        let m = bitmask![".###", "#..#", "#..#", "####"];
        assert!(fill_holes(&m).get(1, 1));
    }
}
