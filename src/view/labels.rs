//! Placing object numbers on screen without overlap: on a dense image at a small zoom, drawing
//! every number makes an unreadable smear, so a number is drawn only where its box overlaps none
//! drawn before it (in object order, so the choice is stable while panning). The viewer says how
//! many it left out; zooming in shows them.

/// A label's box on screen: centre and size in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelBox {
    /// Centre x.
    pub x: f64,
    /// Centre y.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl LabelBox {
    /// The box of `text` drawn centred at (x, y) in a font whose digits are `digit_w` wide and
    /// whose line is `line_h` high, with `pad` pixels around it.
    pub fn of_text(text: &str, x: f64, y: f64, digit_w: f64, line_h: f64, pad: f64) -> Self {
        LabelBox {
            x,
            y,
            w: text.chars().count() as f64 * digit_w + 2.0 * pad,
            h: line_h + 2.0 * pad,
        }
    }

    /// Whether two boxes share any area (touching edges do not count).
    pub fn overlaps(&self, o: &LabelBox) -> bool {
        (self.x - o.x).abs() * 2.0 < self.w + o.w && (self.y - o.y).abs() * 2.0 < self.h + o.h
    }
}

/// Which boxes to draw: in order, each one that overlaps none already kept. Linear in practice:
/// kept boxes are bucketed in a grid of cells as large as the largest box.
pub fn place(boxes: &[LabelBox]) -> Vec<bool> {
    let cell = boxes
        .iter()
        .map(|b| b.w.max(b.h))
        .filter(|s| s.is_finite())
        .fold(1.0f64, f64::max);
    let key = |b: &LabelBox| ((b.x / cell).floor() as i64, (b.y / cell).floor() as i64);
    let mut grid: std::collections::HashMap<(i64, i64), Vec<usize>> =
        std::collections::HashMap::new();
    let mut keep = vec![false; boxes.len()];
    for (i, b) in boxes.iter().enumerate() {
        if !(b.x.is_finite() && b.y.is_finite() && b.w.is_finite() && b.h.is_finite()) {
            continue;
        }
        let (kx, ky) = key(b);
        let clash = (-1..=1).any(|dx| {
            (-1..=1).any(|dy| {
                grid.get(&(kx + dx, ky + dy))
                    .is_some_and(|v| v.iter().any(|&j| boxes[j].overlaps(b)))
            })
        });
        if !clash {
            keep[i] = true;
            grid.entry((kx, ky)).or_default().push(i);
        }
    }
    keep
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn b(x: f64, y: f64) -> LabelBox {
        LabelBox {
            x,
            y,
            w: 20.0,
            h: 14.0,
        }
    }

    #[test]
    fn the_first_of_two_overlapping_labels_is_kept_and_apart_ones_all() {
        assert_eq!(
            place(&[b(0.0, 0.0), b(10.0, 5.0), b(30.0, 0.0)]),
            vec![true, false, true]
        );
        // Touching edges are not an overlap.
        assert_eq!(
            place(&[b(0.0, 0.0), b(20.0, 0.0), b(0.0, 14.0)]),
            vec![true; 3]
        );
        assert_eq!(place(&[]), Vec::<bool>::new());
        // A box that is not finite is never drawn.
        assert_eq!(place(&[b(f64::NAN, 0.0), b(0.0, 0.0)]), vec![false, true]);
        let t = LabelBox::of_text("123", 5.0, 5.0, 7.0, 12.0, 1.0);
        assert_eq!((t.w, t.h), (23.0, 14.0));
    }

    proptest! {
        #[test]
        fn kept_labels_never_overlap_and_each_left_out_one_overlaps_a_kept_one(
            pts in proptest::collection::vec((0.0f64..400.0, 0.0f64..300.0, 1usize..5), 0..200)
        ) {
            let boxes: Vec<LabelBox> = pts
                .iter()
                .map(|&(x, y, digits)| LabelBox::of_text(&"9".repeat(digits), x, y, 7.0, 12.0, 1.0))
                .collect();
            let keep = place(&boxes);
            for i in 0..boxes.len() {
                for j in 0..i {
                    if keep[i] && keep[j] {
                        prop_assert!(!boxes[i].overlaps(&boxes[j]), "{i} and {j} overlap");
                    }
                }
                if !keep[i] {
                    prop_assert!((0..i).any(|j| keep[j] && boxes[j].overlaps(&boxes[i])));
                }
            }
        }
    }
}
