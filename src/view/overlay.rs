//! The overlay layers drawn over the image (display only: they never change the analysis), with
//! a short text form for share links: `fill=1,ff00ff,0.45;outline=1,00ffff,1;…`.

use crate::{
    util::text::{quote, shortest},
    view::render::{
        FILL_COLOUR, FILL_OPACITY, OUTLINE_COLOUR, OverlayStyle, Paint, REJECTED_COLOUR,
        REJECTED_OPACITY, TP_COLOUR, hex_colour, parse_hex_colour,
    },
};

/// One overlay layer's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerSetting {
    /// Drawn at all.
    pub on: bool,
    /// Colour.
    pub colour: [u8; 3],
    /// Opacity, 0..=1.
    pub opacity: f32,
}

impl LayerSetting {
    /// A layer with these settings.
    pub const fn new(on: bool, colour: [u8; 3], opacity: f32) -> Self {
        LayerSetting {
            on,
            colour,
            opacity,
        }
    }

    /// The paint of this layer when it is on.
    pub fn paint(self) -> Option<Paint> {
        self.on.then_some(Paint {
            colour: self.colour,
            opacity: self.opacity,
        })
    }

    /// `rgba(r, g, b, a)` for a canvas.
    pub fn css(self) -> String {
        let [r, g, b] = self.colour;
        format!("rgba({r}, {g}, {b}, {})", self.opacity)
    }

    /// `on,rrggbb,opacity`, e.g. `1,ff00ff,0.45`.
    fn to_text(self) -> String {
        let hex = hex_colour(self.colour);
        format!(
            "{},{},{}",
            u8::from(self.on),
            hex.trim_start_matches('#'),
            shortest(self.opacity)
        )
    }
}

/// The overlay layers (display only: they never change the analysis).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overlay {
    /// Object fill.
    pub fill: LayerSetting,
    /// Object outlines.
    pub outline: LayerSetting,
    /// Object numbers (labels) at their centroids.
    pub numbers: LayerSetting,
    /// A cross at each object's centroid.
    pub centroids: LayerSetting,
    /// Outlines of the ground-truth cells, when a mask is loaded.
    pub truth: LayerSetting,
    /// With a mask: colour objects as true or false positives and ring the missed cells (its
    /// colour is fixed: green, red, amber).
    pub score: LayerSetting,
    /// The objects a filter removed, in grey (off by default: the image shows what is counted,
    /// and a real image's rejected specks are many).
    pub rejected: LayerSetting,
}

impl Default for Overlay {
    fn default() -> Self {
        Overlay {
            fill: LayerSetting::new(true, FILL_COLOUR, FILL_OPACITY),
            outline: LayerSetting::new(true, OUTLINE_COLOUR, 1.0),
            numbers: LayerSetting::new(false, [255, 255, 255], 1.0),
            centroids: LayerSetting::new(false, [255, 255, 0], 1.0),
            truth: LayerSetting::new(false, [255, 160, 40], 1.0),
            score: LayerSetting::new(true, TP_COLOUR, FILL_OPACITY),
            rejected: LayerSetting::new(false, REJECTED_COLOUR, REJECTED_OPACITY),
        }
    }
}

/// The layer names of the text form, in the order written.
pub const LAYERS: [&str; 7] = [
    "fill",
    "outline",
    "numbers",
    "centroids",
    "truth",
    "score",
    "rejected",
];

/// Something in an overlay text that was not taken as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverlayNotice {
    /// The layer concerned (quoted safely).
    pub key: String,
    /// What was done about it, in words.
    pub message: String,
}

impl Overlay {
    /// The drawing style of objects (fill and outline) for thumbnails.
    pub fn style(self) -> OverlayStyle {
        OverlayStyle {
            fill: self.fill.paint().map(|p| (p.colour, p.opacity)),
            outline: self.outline.paint().map(|p| p.colour),
        }
    }

    /// The settings of the layer called `name` (one of [`LAYERS`]).
    pub fn layer(&self, name: &str) -> Option<LayerSetting> {
        let mut copy = *self;
        copy.layer_mut(name).map(|l| *l)
    }

    /// The layer called `name` (one of [`LAYERS`]), to change it.
    pub fn layer_mut(&mut self, name: &str) -> Option<&mut LayerSetting> {
        Some(match name {
            "fill" => &mut self.fill,
            "outline" => &mut self.outline,
            "numbers" => &mut self.numbers,
            "centroids" => &mut self.centroids,
            "truth" => &mut self.truth,
            "score" => &mut self.score,
            "rejected" => &mut self.rejected,
            _ => return None,
        })
    }

    /// The stable text form: every layer of [`LAYERS`] as `name=on,rrggbb,opacity`, `;` between.
    ///
    /// ```
    /// use fluocount::view::overlay::Overlay;
    /// assert!(Overlay::default().to_text().starts_with("fill=1,ff00ff,0.45;outline=1,00ffff,1;"));
    /// ```
    pub fn to_text(&self) -> String {
        LAYERS
            .iter()
            .filter_map(|&name| Some(format!("{name}={}", self.layer(name)?.to_text())))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Reads [`Overlay::to_text`]'s form. Never fails: a missing layer keeps its default; an
    /// unknown or repeated layer, or an invalid switch, colour or opacity, keeps the default and
    /// gives a notice. A colour may be written with or without `#`.
    ///
    /// ```
    /// use fluocount::view::overlay::Overlay;
    /// let (o, notices) = Overlay::from_text("numbers=1,ff0000,0.5;fill=0,zzz,2");
    /// assert!(o.numbers.on && !o.fill.on);
    /// assert_eq!((o.fill.colour, o.fill.opacity), (Overlay::default().fill.colour, Overlay::default().fill.opacity));
    /// assert_eq!(notices.len(), 2);
    /// ```
    pub fn from_text(text: &str) -> (Overlay, Vec<OverlayNotice>) {
        let defaults = Overlay::default();
        let mut overlay = defaults;
        let mut notices = Vec::new();
        let mut note = |key: &str, message: String| {
            notices.push(OverlayNotice {
                key: quote(key),
                message,
            })
        };
        let pairs: Vec<(&str, &str)> = text
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect();
        // How often each layer is named, and the first place it is: one pass, so a long text
        // reads in linear time.
        let mut seen: std::collections::HashMap<&str, (usize, usize)> = Default::default();
        for (i, &(name, _)) in pairs.iter().enumerate() {
            seen.entry(name).or_insert((0, i)).0 += 1;
        }
        for (i, &(name, value)) in pairs.iter().enumerate() {
            let (repeats, first) = seen.get(name).copied().unwrap_or((1, i));
            if repeats > 1 {
                if first == i {
                    note(
                        name,
                        format!(
                            "layer “{}” is given {repeats} times; its default is used",
                            quote(name)
                        ),
                    );
                }
                continue;
            }
            let (Some(layer), Some(default)) = (overlay.layer_mut(name), defaults.layer(name))
            else {
                note(name, format!("unknown layer “{}” ignored", quote(name)));
                continue;
            };
            let parts: Vec<&str> = value.split(',').map(str::trim).collect();
            let [on, colour, opacity] = parts[..] else {
                note(
                    name,
                    format!(
                        "layer {name}: “{}” is not on,colour,opacity (e.g. 1,ff00ff,0.5); its default is used",
                        quote(value)
                    ),
                );
                continue;
            };
            match on {
                "1" => layer.on = true,
                "0" => layer.on = false,
                _ => note(
                    name,
                    format!(
                        "layer {name}: “{}” is not 0 or 1; its default ({}) is used",
                        quote(on),
                        if default.on { "on" } else { "off" }
                    ),
                ),
            }
            let hex = if colour.starts_with('#') {
                colour.to_string()
            } else {
                format!("#{colour}")
            };
            match parse_hex_colour(&hex) {
                Some(c) => layer.colour = c,
                None => note(
                    name,
                    format!(
                        "layer {name}: “{}” is not a colour rrggbb; its default is used",
                        quote(colour)
                    ),
                ),
            }
            match opacity.parse::<f32>() {
                Ok(a) if (0.0..=1.0).contains(&a) => layer.opacity = a,
                _ => note(
                    name,
                    format!(
                        "layer {name}: “{}” is not an opacity from 0 to 1; its default is used",
                        quote(opacity)
                    ),
                ),
            }
        }
        (overlay, notices)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_of_repeated_layers_reads_in_one_pass_with_one_notice_each() {
        // 100,000 layer entries: before, each counted its repeats over all of them.
        let text = "cells=1,#ff0000,0.5;".repeat(100_000);
        let (o, n) = Overlay::from_text(&text);
        assert_eq!(o, Overlay::default());
        assert_eq!(n.len(), 1, "one notice for the repeated layer");
        assert!(n[0].message.contains("100000 times"), "{}", n[0].message);
    }
    use proptest::prelude::*;

    #[test]
    fn the_text_form_is_stable_and_reads_back() {
        let d = Overlay::default();
        assert_eq!(
            d.to_text(),
            "fill=1,ff00ff,0.45;outline=1,00ffff,1;numbers=0,ffffff,1;centroids=0,ffff00,1;\
             truth=0,ffa028,1;score=1,0000ff,0.45;rejected=0,bebebe,0.35"
        );
        assert_eq!(Overlay::from_text(&d.to_text()), (d, vec![]));
        assert_eq!(Overlay::from_text(""), (d, vec![]));
        let (o, n) = Overlay::from_text("truth=1,#102030,0.25");
        assert!(n.is_empty(), "{n:?}");
        assert_eq!(o.truth, LayerSetting::new(true, [16, 32, 48], 0.25));
    }

    #[test]
    fn hostile_text_gives_defaults_and_notices() {
        let d = Overlay::default();
        for text in [
            "fill=<script>alert(1)</script>",
            "fill=1,<script>,0.45",
            "fill=2,ff00ff,0.45",
            "fill=1,ff00ff,NaN",
            "fill=1,ff00ff,inf",
            "fill=1,ff00ff,-1e309",
            "fill=1,ff00ff,1e40",
            "fill=1,ff00ff0,0.45",
            "fill=",
            "fill",
            "fill=1,ff00ff,0.45,9",
            "fill=0,000000,0;fill=0,000000,0",
            "<script>=1,ff00ff,1",
            "fill=1,é00000,0.45",
        ] {
            let (o, n) = Overlay::from_text(text);
            assert_eq!(o, d, "{text}");
            assert!(!n.is_empty(), "{text}");
            assert!(n.iter().all(|n| n.message.chars().count() < 140), "{n:?}");
        }
        let (_, n) = Overlay::from_text("fill=1,ff00ff,0.45;fill=0,000000,0;fill=1,ffffff,1");
        assert_eq!(n.len(), 1, "one notice per repeated layer");
    }

    fn layer() -> impl Strategy<Value = LayerSetting> {
        (any::<bool>(), any::<[u8; 3]>(), 0.0f32..=1.0)
            .prop_map(|(on, colour, opacity)| LayerSetting::new(on, colour, opacity))
    }

    proptest! {
        #[test]
        fn round_trip(layers in proptest::array::uniform7(layer())) {
            let [fill, outline, numbers, centroids, truth, score, rejected] = layers;
            let o = Overlay { fill, outline, numbers, centroids, truth, score, rejected };
            prop_assert_eq!(Overlay::from_text(&o.to_text()), (o, vec![]));
        }

        #[test]
        fn any_text_reads_without_panicking(text in ".{0,120}") {
            let (o, _) = Overlay::from_text(&text);
            for name in LAYERS {
                let opacity = o.layer(name).map(|l| l.opacity);
                prop_assert!(opacity.is_some_and(|a| (0.0..=1.0).contains(&a)));
            }
        }
    }
}
