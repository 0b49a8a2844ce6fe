//! Per-image summary rows: ImageJ's Analyze Particles "Summarize" figures, the corrected count of
//! the manual corrections and the counts inside regions (their CSV form and columns:
//! [`crate::count::table::summary_csv`]).

use crate::{
    count::{cellcounter::Tally, pipeline::Analysis, roi::RoiCount},
    imaging::{calibration::Calibration, label::ObjectStats},
};

/// ImageJ's Analyze Particles "Summarize" figures of one image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summarize {
    /// Objects detected ("Count").
    pub count: usize,
    /// Their total area in pixels ("Total Area").
    pub total_area: u64,
    /// Total area / count ("Average Size"), 0 without objects.
    pub average_size: f64,
    /// Total area as a percentage of the image ("%Area").
    pub percent_area: f64,
    /// Area-weighted mean intensity of the objects ("Mean"), 0 without objects.
    pub mean: f64,
}

impl Summarize {
    /// ImageJ's formulas over the `objects` of a `width` x `height` image (the only place they
    /// are written): Count; Total Area; Average Size = total / count; %Area = 100 * total /
    /// image area (an empty image counting as one pixel); Mean = the area-weighted mean of the
    /// object means. Average Size and Mean are 0 without objects.
    pub fn of(objects: &[ObjectStats], width: u32, height: u32) -> Self {
        let count = objects.len();
        let total_area: u64 = objects.iter().map(|o| o.area).sum();
        let weighted: f64 = objects.iter().map(|o| o.mean * o.area as f64).sum();
        let pixels = (f64::from(width) * f64::from(height)).max(1.0);
        Summarize {
            count,
            total_area,
            average_size: if count == 0 {
                0.0
            } else {
                total_area as f64 / count as f64
            },
            percent_area: 100.0 * total_area as f64 / pixels,
            mean: if total_area == 0 {
                0.0
            } else {
                weighted / total_area as f64
            },
        }
    }
}

/// One image's summary.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The image's file name.
    pub image: String,
    /// ImageJ's Summarize figures.
    pub summarize: Summarize,
    /// The analysis' count before corrections.
    pub automatic: usize,
    /// Objects removed by hand.
    pub removed: usize,
    /// Cells added by hand (type-1 markers not on a kept object).
    pub added: usize,
    /// `automatic - removed + added`.
    pub corrected: usize,
    /// Removals whose object no longer exists.
    pub stale: usize,
    /// (type id, name, count) of every marker type.
    pub per_type: Vec<(u32, String, usize)>,
    /// Counts inside each region.
    pub rois: Vec<RoiCount>,
    /// The image's calibration, `None` for pixels.
    pub calibration: Option<Calibration>,
}

impl Summary {
    /// The summary of `a`, with its corrections' tally (if any) and region counts.
    pub fn new(image: &str, a: &Analysis, tally: Option<Tally>, rois: Vec<RoiCount>) -> Self {
        let summarize = Summarize::of(&a.objects, a.width, a.height);
        let count = summarize.count;
        let (removed, added, corrected, stale, per_type) = match tally {
            Some(t) => (
                t.removed,
                t.added,
                t.total,
                t.stale_removals.len(),
                t.per_type,
            ),
            None => (0, 0, count, 0, Vec::new()),
        };
        Summary {
            image: image.to_string(),
            summarize,
            automatic: count,
            removed,
            added,
            corrected,
            stale,
            per_type,
            rois,
            calibration: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::cellcounter::{Action, Corrections, Marker};

    use crate::count::testing::tiny_unsplit as tiny;

    #[test]
    fn summarize_figures_and_corrections() {
        let a = tiny();
        let s = Summary::new("a.png", &a, None, Vec::new());
        let f = s.summarize;
        assert_eq!((f.count, f.total_area, s.corrected), (2, 8, 2));
        assert_eq!(f.average_size, 4.0);
        assert!((f.percent_area - 100.0 * 8.0 / 24.0).abs() < 1e-12);
        assert!((f.mean - (4.0 * 200.0 + 4.0 * 100.0) / 8.0).abs() < 1e-12);

        let mut c = Corrections::new();
        c.apply(Action::RemoveObject { x: 0, y: 0 });
        c.apply(Action::AddMarker(Marker {
            x: 2,
            y: 3,
            type_id: 1,
        }));
        c.apply(Action::AddMarker(Marker {
            x: 3,
            y: 3,
            type_id: 2,
        }));
        let t = c.tally(&a.labels, a.width, a.height, a.count());
        let s = Summary::new("a.png", &a, Some(t), Vec::new());
        assert_eq!((s.automatic, s.removed, s.added, s.corrected), (2, 1, 1, 2));
        assert_eq!(s.per_type[1], (2, "Type 2".to_string(), 1));
    }
}
