//! The viewer's image-space frame: the image's display picture with every overlay layer drawn at
//! the image's own resolution (objects, score colouring and rings, truth outlines, removed and
//! rejected objects). One function, [`frame`], so that a worker can make it from what it keeps.

use crate::{
    count::{pipeline::Analysis, scoring::ImageScore},
    imaging::bitmask::BitMask,
    view::{
        overlay::Overlay,
        render::{Layers, ScoreOverlay, composite_layers},
    },
};

/// What a frame is made of.
#[derive(Clone, Copy, Debug)]
pub struct FrameParts<'a> {
    /// The display picture (RGBA, `width * height`).
    pub base: &'a [u8],
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The count to draw, if there is one of this size.
    pub analysis: Option<&'a Analysis>,
    /// Its score against the mask, if scored.
    pub score: Option<&'a ImageScore>,
    /// The ground-truth mask, if attached.
    pub truth: Option<&'a BitMask>,
    /// The overlay switches.
    pub overlay: &'a Overlay,
    /// Per label (index = label − 1): removed by a manual correction.
    pub removed: &'a [bool],
}

/// The frame: `parts.base` with the layers the overlay switches on. Without an analysis of the
/// picture's size it is the picture alone.
pub fn frame(parts: &FrameParts<'_>) -> Vec<u8> {
    let (w, h) = (parts.width, parts.height);
    let Some(a) = parts
        .analysis
        .filter(|a| a.labels.len() == w as usize * h as usize)
    else {
        return parts.base.to_vec();
    };
    let overlay = parts.overlay;
    let score = parts.score.filter(|_| overlay.score.on);
    let matched: Vec<bool> = score
        .map(|s| s.matches.iter().map(Option::is_some).collect())
        .unwrap_or_default();
    let missed: Vec<(u32, u32, u32)> = score
        .map(|s| {
            s.missed
                .iter()
                .filter_map(|&l| s.truth_objects.get((l as usize).checked_sub(1)?))
                .map(|t| (t.cx, t.cy, (t.x1 - t.x0).max(t.y1 - t.y0) / 2 + 2))
                .collect()
        })
        .unwrap_or_default();
    let layers = Layers {
        fill: overlay.fill.paint(),
        outline: overlay.outline.paint(),
        score: score.map(|_| {
            (
                ScoreOverlay {
                    matched: &matched,
                    missed: &missed,
                },
                overlay.score.opacity,
            )
        }),
        truth: parts
            .truth
            .zip(overlay.truth.paint())
            .filter(|(t, _)| (t.width(), t.height()) == (w, h)),
        removed: parts.removed,
        rejected: overlay.rejected.paint().map(|p| (&a.rejected, p)),
        classifier: &a.scores,
    };
    composite_layers(parts.base, &a.labels, w, h, &layers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::testing::tiny;

    #[test]
    fn a_frame_draws_the_switched_on_layers_over_the_picture_only_where_objects_are() {
        let a = tiny();
        let base = vec![10u8; 6 * 4 * 4];
        let overlay = Overlay::default();
        let parts = FrameParts {
            base: &base,
            width: 6,
            height: 4,
            analysis: Some(&a),
            score: None,
            truth: None,
            overlay: &overlay,
            removed: &[],
        };
        let drawn = frame(&parts);
        let px = |f: &[u8], x: usize, y: usize| f[(y * 6 + x) * 4..(y * 6 + x) * 4 + 4].to_vec();
        assert_ne!(
            px(&drawn, 0, 0),
            px(&base, 0, 0),
            "an object pixel is painted"
        );
        assert_eq!(px(&drawn, 2, 3), px(&base, 2, 3), "the background is not");
        let mut off = Overlay::default();
        off.fill.on = false;
        off.outline.on = false;
        let parts = FrameParts {
            overlay: &off,
            ..parts
        };
        assert_eq!(
            frame(&parts),
            base,
            "with every layer off the frame is the picture"
        );
        let small = vec![10u8; 4 * 4 * 4];
        let wrong = FrameParts {
            base: &small,
            width: 4,
            height: 4,
            overlay: &Overlay::default(),
            ..parts
        };
        assert_eq!(
            frame(&wrong),
            small,
            "an analysis of another size is not drawn"
        );
        let none = FrameParts {
            analysis: None,
            ..parts
        };
        assert_eq!(frame(&none), base);
    }
}
