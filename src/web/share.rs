//! The state a share link carries, as a URL fragment (the part after `#`, which the browser
//! never sends to a server): parameters, view, display, overlay and where the image comes from.
//!
//! `link=1&v=3&channel=yellow&…&zoom=2&cx=800&cy=600&display=…&overlay=…&demo=yellow-lhl`.
//! Reading never fails: missing keys take their defaults, so old links keep working when
//! settings are added; unknown keys and invalid values are reported as [`ShareNotice`]s and the
//! default is used.

use crate::{
    count::{
        learn::builtin::NAMES,
        params::{KEYS, PARAMS_VERSION, Params, SetError},
        presets::Collection,
    },
    imaging::image::BitDepth,
    util::text::{percent_decode, percent_encode, quote, shortest},
    view::{
        display::DisplaySettings,
        overlay::Overlay,
        viewport::{MAX_ZOOM, MIN_ZOOM, View},
    },
    web::{
        demos::{self, MAX_CELLS, MAX_NOISE, SynthSpec},
        remote::check_image_url,
    },
};
use std::collections::BTreeMap;

/// The version of the link format written by [`ShareState::to_fragment`].
pub const LINK_VERSION: u32 = 1;
/// Longest fragment read, in bytes; a longer one is refused as a whole.
pub const MAX_FRAGMENT: usize = 8 * 1024;
/// Longest display text accepted, in characters.
pub const MAX_DISPLAY: usize = 256;
/// Largest |cx| or |cy| accepted: far beyond any image the decoder accepts.
pub const MAX_CENTRE: f64 = 1e9;
/// Most notices returned; the rest are summed up in one last notice.
pub const MAX_NOTICES: usize = 20;

/// Where the image of a link comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A built-in demo, by its id in [`demos::demos`].
    Demo(String),
    /// A synthetic image made in the browser.
    Synth(SynthSpec),
    /// An image fetched from an `http://` or `https://` URL.
    Remote(String),
}

/// Everything a share link carries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ShareState {
    /// The analysis parameters.
    pub params: Params,
    /// The viewer's zoom and centre; `None` fits the image.
    pub view: Option<View>,
    /// [`DisplaySettings::to_text`]'s text, read later against the image's depth; `None` keeps
    /// the image's own display.
    pub display: Option<String>,
    /// The overlay layers.
    pub overlay: Overlay,
    /// The image to open, if any.
    pub source: Option<Source>,
    /// The built-in model that counts, if one does (a user's own model cannot travel in a link).
    pub model: Option<LinkModel>,
    /// *Auto* (`preset=auto`): each image is counted with the preset of its own colour, and
    /// [`ShareState::params`] are the selected image's preset, written for the reader.
    pub auto: bool,
}

/// A built-in model in a link: `model=NAME` and, when moved, `cutoff=C`.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkModel {
    /// Its name, one of [`crate::count::learn::builtin::NAMES`].
    pub name: String,
    /// The cut-off, when moved from the model's own (0 to 1).
    pub cutoff: Option<f32>,
}

/// Something in a link that was not taken as written, in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareNotice {
    /// The key concerned (quoted safely).
    pub key: String,
    /// What was done about it.
    pub message: String,
}

impl ShareState {
    /// The fragment (without `#`): `link=1&`, [`Params::to_query`]'s keys, then only what is not
    /// the default: `preset=auto`, `zoom`, `cx`, `cy`, `display`, `overlay` (percent-encoded) and one of
    /// `demo=ID`, `synth=SEED,CELLS,TOUCHING,NOISE`, `url=…`. The same state gives the same text.
    ///
    /// ```
    /// use fluocount::web::share::{ShareState, Source};
    /// let s = ShareState { source: Some(Source::Demo("yellow-lhl".into())), ..ShareState::default() };
    /// let text = s.to_fragment();
    /// assert!(text.starts_with("link=1&v=3&channel=yellow&") && text.ends_with("&demo=yellow-lhl"));
    /// assert_eq!(ShareState::from_fragment(&text), (s, vec![]));
    /// ```
    pub fn to_fragment(&self) -> String {
        let mut out = format!("link={LINK_VERSION}&{}", self.params.to_query());
        let mut put = |key: &str, value: &str| {
            out.push('&');
            out.push_str(key);
            out.push('=');
            out.push_str(value);
        };
        if self.auto {
            put("preset", "auto");
        }
        if let Some(v) = self.view {
            put("zoom", &shortest(v.zoom));
            put("cx", &shortest(v.cx));
            put("cy", &shortest(v.cy));
        }
        if let Some(d) = &self.display {
            put("display", &percent_encode(d));
        }
        if self.overlay != Overlay::default() {
            put("overlay", &percent_encode(&self.overlay.to_text()));
        }
        match &self.source {
            None => {}
            Some(Source::Demo(id)) => put("demo", &percent_encode(id)),
            Some(Source::Synth(spec)) => put("synth", &spec.to_text()),
            Some(Source::Remote(url)) => put("url", &percent_encode(url)),
        }
        if let Some(m) = &self.model {
            put("model", &percent_encode(&m.name));
            if let Some(c) = m.cutoff {
                put("cutoff", &shortest(c));
            }
        }
        out
    }

    /// Reads a fragment, with or without the leading `#`. Never fails: see the module's rules.
    /// A key given more than once is ambiguous and takes its default; a fragment longer than
    /// [`MAX_FRAGMENT`] is refused as a whole.
    ///
    /// ```
    /// use fluocount::web::share::ShareState;
    /// let (s, notices) = ShareState::from_fragment("#open=3&zoom=NaN&url=javascript:alert(1)");
    /// assert_eq!((s.params.open_radius, s.view, s.source), (3, None, None));
    /// assert_eq!(notices.len(), 2);
    /// ```
    pub fn from_fragment(fragment: &str) -> (ShareState, Vec<ShareNotice>) {
        let mut reader = Reader::default();
        let text = fragment.trim();
        let text = text.strip_prefix('#').unwrap_or(text);
        if text.len() > MAX_FRAGMENT {
            reader.note(
                "link",
                format!(
                    "the link is {} bytes long, more than the {MAX_FRAGMENT} read; it is ignored and the defaults are used",
                    text.len()
                ),
            );
            return (ShareState::default(), reader.finish());
        }
        let pairs: Vec<(Result<String, &str>, &str)> = text
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .map(|(k, v)| (percent_decode(k).map_err(|_| k), v))
            .collect();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (key, _) in &pairs {
            if let Ok(k) = key {
                *counts.entry(k.as_str()).or_default() += 1;
            }
        }
        for (key, raw_value) in &pairs {
            let key = match key {
                Ok(k) => k.as_str(),
                Err(raw) => {
                    reader.note(
                        raw,
                        format!("the setting “{}” is not valid text; ignored", quote(raw)),
                    );
                    continue;
                }
            };
            match counts.get_mut(key) {
                Some(0) => continue,
                Some(n) if *n > 1 => {
                    let message =
                        format!("“{}” is given {n} times; its default is used", quote(key));
                    *n = 0;
                    reader.note(key, message);
                    continue;
                }
                _ => {}
            }
            match percent_decode(raw_value) {
                Err(e) => reader.note(
                    key,
                    format!(
                        "the value of “{}” has {}; the default is used",
                        quote(key),
                        e.describe()
                    ),
                ),
                Ok(value) if value.trim().is_empty() => reader.note(
                    key,
                    format!("“{}” has no value; the default is used", quote(key)),
                ),
                Ok(value) => reader.read(key, value.trim()),
            }
        }
        reader.finish_state()
    }
}

/// What [`ShareState::from_fragment`] has read so far.
#[derive(Default)]
struct Reader {
    state: ShareState,
    zoom: Option<f64>,
    cx: Option<f64>,
    cy: Option<f64>,
    view_keys: usize,
    view_invalid: bool,
    sources: Vec<Option<Source>>,
    cutoff: Option<f32>,
    notices: Vec<ShareNotice>,
}

impl Reader {
    fn note(&mut self, key: &str, message: String) {
        self.notices.push(ShareNotice {
            key: quote(key),
            message,
        });
    }

    /// One key with its decoded, non-empty value.
    fn read(&mut self, key: &str, value: &str) {
        match key {
            "link" => match value.parse::<u32>() {
                Ok(v) if (1..=LINK_VERSION).contains(&v) => {}
                Ok(v) if v > LINK_VERSION => self.note(
                    key,
                    format!(
                        "this link comes from a newer version (link format {v}); what is understood is used"
                    ),
                ),
                _ => self.note(
                    key,
                    format!(
                        "“{}” is not a link format version; read as version 1",
                        quote(value)
                    ),
                ),
            },
            "v" => match value.parse::<u32>() {
                Ok(v) if (1..=PARAMS_VERSION).contains(&v) => {}
                Ok(v) if v > PARAMS_VERSION => self.note(
                    key,
                    format!(
                        "the parameters come from a newer version ({v}); unknown settings are ignored"
                    ),
                ),
                _ => self.note(
                    key,
                    format!(
                        "“{}” is not a parameter version; ignored",
                        quote(value)
                    ),
                ),
            },
            "zoom" | "cx" | "cy" => self.read_view(key, value),
            "preset" => {
                if value.eq_ignore_ascii_case("auto") {
                    self.state.auto = true;
                } else {
                    self.note(
                        key,
                        format!(
                            "“{}” is not a preset a link names (only auto: the other settings are in the link); the link's settings count every image",
                            quote(value)
                        ),
                    );
                }
            }
            "model" => {
                let name = value.to_ascii_lowercase();
                if NAMES.contains(&name.as_str()) {
                    self.state.model = Some(LinkModel { name, cutoff: None });
                } else {
                    self.note(
                        key,
                        format!(
                            "there is no built-in model “{}” (there are {}); counted without a model",
                            quote(value),
                            NAMES.join(", ")
                        ),
                    );
                }
            }
            "cutoff" => match value.parse::<f32>() {
                Ok(c) if (0.0..=1.0).contains(&c) => self.cutoff = Some(c),
                _ => self.note(
                    key,
                    format!(
                        "“{}” is not a cut-off from 0 to 1; the model's own is used",
                        quote(value)
                    ),
                ),
            },
            "display" => self.read_display(value),
            "overlay" => {
                let (overlay, notices) = Overlay::from_text(value);
                self.state.overlay = overlay;
                for n in notices {
                    self.note("overlay", format!("overlay: {}", n.message));
                }
            }
            "demo" => {
                let source = demos::find(value).map(|d| Source::Demo(d.id.to_string()));
                if source.is_none() {
                    self.note(
                        key,
                        format!("there is no demo “{}”; no image is opened", quote(value)),
                    );
                }
                self.sources.push(source);
            }
            "synth" => {
                let spec = self.read_synth(value);
                self.sources.push(spec.map(Source::Synth));
            }
            "url" => {
                let source = match check_image_url(value) {
                    Ok(()) => Some(Source::Remote(value.to_string())),
                    Err(why) => {
                        self.note(
                            key,
                            format!(
                                "the image address “{}” is refused: {why}; no image is opened",
                                quote(value)
                            ),
                        );
                        None
                    }
                };
                self.sources.push(source);
            }
            _ if KEYS.contains(&key) => match self.state.params.set(key, value) {
                Ok(()) => {}
                Err(SetError::Invalid(what)) => self.note(
                    key,
                    format!(
                        "“{}” is not a valid value for {key} ({what}); the default is used",
                        quote(value)
                    ),
                ),
                Err(SetError::UnknownKey) => self.unknown(key),
            },
            _ => self.unknown(key),
        }
    }

    fn unknown(&mut self, key: &str) {
        self.note(key, format!("unknown setting “{}” ignored", quote(key)));
    }

    fn read_view(&mut self, key: &str, value: &str) {
        self.view_keys += 1;
        let x = value.parse::<f64>().ok().filter(|x| x.is_finite());
        let (slot, ok, expected) = match key {
            "zoom" => (
                &mut self.zoom,
                x.is_some_and(|z| (MIN_ZOOM..=MAX_ZOOM).contains(&z)),
                "a zoom from 1/64 (0.015625) to 64",
            ),
            "cx" => (
                &mut self.cx,
                x.is_some_and(|c| c.abs() <= MAX_CENTRE),
                "an image x coordinate",
            ),
            _ => (
                &mut self.cy,
                x.is_some_and(|c| c.abs() <= MAX_CENTRE),
                "an image y coordinate",
            ),
        };
        if ok {
            *slot = x;
        } else {
            self.view_invalid = true;
            self.note(
                key,
                format!(
                    "“{}” is not {expected}; the whole image is shown",
                    quote(value)
                ),
            );
        }
    }

    fn read_display(&mut self, value: &str) {
        if value.chars().count() > MAX_DISPLAY {
            self.note(
                "display",
                format!(
                    "the display settings are longer than {MAX_DISPLAY} characters; the image's own display is used"
                ),
            );
            return;
        }
        // The image's depth is not known yet: 16 bits accepts every range an image can have.
        let (_, notices) = DisplaySettings::from_text(value, BitDepth::Sixteen);
        match notices.first() {
            None => self.state.display = Some(value.to_string()),
            // The display's own message may quote a long value: name only its key.
            Some(n) => self.note(
                "display",
                format!(
                    "the display setting “{}” is not valid (e.g. mode=composite;channels=111;gamma=1); the image's own display is used",
                    quote(&n.key)
                ),
            ),
        }
    }

    /// `SEED,CELLS,TOUCHING,NOISE`; an invalid part keeps its default.
    fn read_synth(&mut self, value: &str) -> Option<SynthSpec> {
        let parts: Vec<&str> = value.split(',').map(str::trim).collect();
        let [seed, cells, touching, noise] = parts[..] else {
            self.note(
                "synth",
                format!(
                    "“{}” is not SEED,CELLS,TOUCHING,NOISE (e.g. 1,40,0.3,6); no image is made",
                    quote(value)
                ),
            );
            return None;
        };
        let mut spec = SynthSpec::default();
        let mut bad = |what: &str, part: &str| {
            let message = format!(
                "synth: “{}” is not {what}; the default is used",
                quote(part)
            );
            self.note("synth", message);
        };
        match seed.parse::<u64>() {
            Ok(s) => spec.seed = s,
            Err(_) => bad("a seed (a whole number from 0)", seed),
        }
        match cells.parse::<u32>() {
            Ok(n) if n <= MAX_CELLS => spec.cells = n,
            _ => bad("a number of cells from 0 to 400", cells),
        }
        match touching.parse::<f32>() {
            Ok(t) if (0.0..=1.0).contains(&t) => spec.touching = t,
            _ => bad("a touching fraction from 0 to 1", touching),
        }
        match noise.parse::<f32>() {
            Ok(s) if (0.0..=MAX_NOISE).contains(&s) => spec.noise = s,
            _ => bad("a noise level from 0 to 40", noise),
        }
        Some(spec)
    }

    fn finish_state(mut self) -> (ShareState, Vec<ShareNotice>) {
        let mut state = std::mem::take(&mut self.state);
        // The page writes Auto with the selected image's preset (or, before any image, the
        // defaults); other settings with it were edited by hand, and Auto overrides them.
        if state.auto
            && state.params != Params::default()
            && Collection::ALL.iter().all(|c| c.preset() != state.params)
        {
            self.note(
                "preset",
                "with preset=auto each image is counted with the preset of its colour; the link's other settings are not used".into(),
            );
        }
        match (&mut state.model, self.cutoff) {
            (Some(m), c) => m.cutoff = c,
            (None, Some(_)) => self.note(
                "cutoff",
                "a cut-off without a built-in model (model=…) is ignored".into(),
            ),
            (None, None) => {}
        }
        match (self.zoom, self.cx, self.cy) {
            (Some(zoom), Some(cx), Some(cy)) => state.view = Some(View { zoom, cx, cy }),
            _ if self.view_keys > 0 && !self.view_invalid => self.note(
                "zoom",
                "the view needs all of zoom, cx and cy; the whole image is shown".into(),
            ),
            _ => {}
        }
        match self.sources.len() {
            0 => {}
            1 => state.source = self.sources.pop().flatten(),
            _ => self.note(
                "source",
                "the link names more than one image (demo, synth or url); none is opened".into(),
            ),
        }
        (state, self.finish())
    }

    fn finish(mut self) -> Vec<ShareNotice> {
        if self.notices.len() > MAX_NOTICES {
            let more = self.notices.len() - (MAX_NOTICES - 1);
            self.notices.truncate(MAX_NOTICES - 1);
            self.note("link", format!("… and {more} more problems in this link"));
        }
        self.notices
    }
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::{
        count::synth::SynthParams,
        view::{
            display::{DisplayMode, Limits, Lut},
            overlay::LayerSetting,
        },
    };
    use proptest::prelude::*;

    fn full_state() -> ShareState {
        let mut params = Params::default();
        params.set("method", "Local:Sauvola").expect("method");
        params.set("p1", "0.25").expect("p1");
        params.set("max_area", "5000").expect("max_area");
        params.set("sigma", "1.5").expect("sigma");
        let overlay = Overlay {
            numbers: LayerSetting::new(true, [1, 2, 3], 0.3),
            ..Overlay::default()
        };
        let mut display = DisplaySettings::new(BitDepth::Sixteen);
        display.mode = DisplayMode::Analysed(Lut::Fire);
        display.limits[0] = Limits { min: 10, max: 4000 };
        display.gamma = 0.7;
        ShareState {
            params,
            view: Some(View {
                zoom: 2.0f64.sqrt(),
                cx: 800.25,
                cy: -3.5,
            }),
            display: Some(display.to_text()),
            overlay,
            source: Some(Source::Remote(
                "https://example.org:8443/a b/../img.png?x=1&y=%41#frag".replace(' ', "%20"),
            )),
            model: Some(LinkModel {
                name: "red".into(),
                cutoff: Some(0.62),
            }),
            auto: false,
        }
    }

    #[test]
    fn a_full_state_round_trips() {
        let s = full_state();
        let text = s.to_fragment();
        assert_eq!(ShareState::from_fragment(&text), (s.clone(), vec![]));
        assert_eq!(ShareState::from_fragment(&format!("#{text}")).0, s);
        assert_eq!(text, s.clone().to_fragment(), "stable");
        for source in [
            Source::Demo("red-dmh".into()),
            Source::Synth(SynthSpec {
                seed: u64::MAX,
                cells: 400,
                touching: 1.0,
                noise: 0.1,
            }),
        ] {
            let s = ShareState {
                source: Some(source),
                ..full_state()
            };
            assert_eq!(ShareState::from_fragment(&s.to_fragment()), (s, vec![]));
        }
    }

    #[test]
    fn default_states_give_short_fragments() {
        let d = ShareState::default();
        assert_eq!(
            d.to_fragment(),
            format!("link=1&{}", Params::default().to_query())
        );
        assert_eq!(ShareState::from_fragment(""), (d.clone(), vec![]));
        for source in [
            None,
            Some(Source::Demo("yellow-lhl".into())),
            Some(Source::Synth(SynthSpec::default())),
            Some(Source::Remote("https://example.org/a.png".into())),
        ] {
            let s = ShareState {
                source,
                ..ShareState::default()
            };
            let text = s.to_fragment();
            // Every parameter key is written (30 since the cell-body settings).
            assert!(text.len() < 500, "{} bytes: {text}", text.len());
            assert_eq!(ShareState::from_fragment(&text), (s, vec![]));
        }
        let spec = SynthSpec::default();
        assert_eq!(spec.to_text(), "1,40,0.3,6");
        assert_eq!(spec.params(), SynthParams::default());
    }

    #[test]
    fn old_links_without_new_keys_take_defaults() {
        let (s, n) = ShareState::from_fragment("v=1&channel=red&open=1&demo=red-dmh");
        assert!(n.is_empty(), "{n:?}");
        assert_eq!(
            (s.params.channel, s.params.open_radius),
            (crate::imaging::Channel::Red, 1)
        );
        assert_eq!(s.params.close_radius, Params::default().close_radius);
        assert_eq!(
            (s.view, s.display, s.overlay),
            (None, None, Overlay::default())
        );
        assert_eq!(s.source, Some(Source::Demo("red-dmh".into())));
        let (s, n) = ShareState::from_fragment("link=7&open=3&newer_thing=1");
        assert_eq!(s.params.open_radius, 3);
        assert_eq!(n.len(), 2, "newer format and unknown key: {n:?}");
    }

    /// Every key a link can hold, each with a value that reads without notices.
    fn every_key() -> Vec<(&'static str, String)> {
        let p = Params::default();
        let mut keys: Vec<(&str, String)> = vec![("link", "1".into()), ("v", "2".into())];
        keys.extend(KEYS.iter().map(|&k| (k, p.get(k).unwrap_or_default())));
        keys.extend([
            ("zoom", "1".into()),
            ("cx", "0".into()),
            ("cy", "0".into()),
            ("display", "gamma%3D1".into()),
            ("overlay", "fill%3D1%2Cff00ff%2C0.45".into()),
            ("demo", "yellow-lhl".into()),
            ("synth", "1,40,0.3,6".into()),
            ("url", "https%3A%2F%2Fexample.org%2Fa.png".into()),
            ("preset", "auto".into()),
        ]);
        keys
    }

    #[test]
    fn every_key_alone_reads_without_notices() {
        for (key, value) in every_key() {
            let (_, n) = ShareState::from_fragment(&format!("{key}={value}"));
            let view = matches!(key, "zoom" | "cx" | "cy");
            assert_eq!(n.len(), usize::from(view), "{key}: {n:?}");
        }
    }

    #[test]
    fn hostile_values_in_every_field_give_defaults_and_notices() {
        let d = ShareState::default();
        let hostile = [
            "<script>alert(1)</script>".to_string(),
            percent_encode("<script>alert(1)</script>"),
            "%3Cscript%3Ealert(1)%3C%2Fscript%3E".into(),
            "javascript:alert(1)".into(),
            percent_encode("javascript:alert(1)"),
            "NaN".into(),
            "inf".into(),
            "-inf".into(),
            "-1e309".into(),
            "1e309".into(),
            "99999999999999999999999999999999".into(),
            "-99999999999999999999999999999999".into(),
            String::new(),
            "%20".into(),
            "%ZZ".into(),
            "%".into(),
            "%FF%FE".into(),
            "%C3".into(),
            "%00".into(),
            "\u{202e}evil".into(),
            "x".repeat(5000),
        ];
        for (key, _) in every_key() {
            for value in &hostile {
                let text = format!("{key}={value}");
                let (s, n) = ShareState::from_fragment(&text);
                let short: String = text.chars().take(60).collect();
                assert_eq!(s, d, "{short}");
                // `inf` is max_area's own (default) value.
                let own = key == "max_area" && value == "inf";
                assert!(!n.is_empty() || own, "{short}");
                for notice in &n {
                    assert!(
                        !notice.message.contains(&"x".repeat(41)),
                        "a notice echoes at most 40 characters: {notice:?}"
                    );
                    assert!(!notice.message.contains('\u{202e}'), "{notice:?}");
                }
            }
            // Repeated keys, even with valid values.
            let good = every_key()
                .into_iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v)
                .unwrap_or_default();
            let (s, n) = ShareState::from_fragment(&format!("{key}={good}&{key}={good}"));
            assert_eq!(s, d, "{key} repeated");
            assert!(
                n.iter().any(|n| n.message.contains("2 times")),
                "{key}: {n:?}"
            );
        }
        // A hostile key.
        let (s, n) = ShareState::from_fragment("%3Cscript%3E=1&%FF=2&%ZZ=3&=4");
        assert_eq!(s, d);
        assert_eq!(n.len(), 4, "{n:?}");
        assert!(n[0].message.contains("<script>"), "quoted as text");
    }

    #[test]
    fn link_versions_and_notices_are_plain() {
        for v in [
            "NaN",
            "inf",
            "-1",
            "0",
            "99999999999999999999",
            "<script>",
            "%FF%FE",
        ] {
            let (_, n) = ShareState::from_fragment(&format!("link={v}&v={v}"));
            assert_eq!(n.len(), 2, "{v}: {n:?}");
        }
        let (_, n) = ShareState::from_fragment(&"zz=1&".repeat(1000));
        assert_eq!(n.len(), 1, "repeats of one key: one notice: {n:?}");
        let many: String = (0..100).map(|i| format!("k{i}=1&")).collect();
        let (_, n) = ShareState::from_fragment(&many);
        assert_eq!(n.len(), MAX_NOTICES);
        assert!(n[MAX_NOTICES - 1].message.contains("81 more"), "{n:?}");
    }

    #[test]
    fn overlong_fragments_are_refused() {
        let text = format!("open=3&{}", "a".repeat(MAX_FRAGMENT));
        let (s, n) = ShareState::from_fragment(&text);
        assert_eq!((s, n.len()), (ShareState::default(), 1));
    }

    #[test]
    fn the_view_needs_three_valid_numbers() {
        let (s, n) = ShareState::from_fragment("zoom=2&cx=10&cy=20.5");
        assert!(n.is_empty());
        assert_eq!(
            s.view,
            Some(View {
                zoom: 2.0,
                cx: 10.0,
                cy: 20.5
            })
        );
        for bad in [
            "zoom=2&cx=10",
            "zoom=100&cx=10&cy=20",
            "zoom=0.001&cx=10&cy=20",
            "zoom=2&cx=1e300&cy=20",
            "zoom=2&cx=10&cy=NaN",
        ] {
            let (s, n) = ShareState::from_fragment(bad);
            assert_eq!((s.view, n.len()), (None, 1), "{bad}: {n:?}");
        }
    }

    #[test]
    fn more_than_one_source_opens_none() {
        let (s, n) = ShareState::from_fragment("demo=yellow-lhl&synth=1,40,0.3,6");
        assert_eq!((s.source, n.len()), (None, 1));
        let (s, n) = ShareState::from_fragment("synth=7,401,2,NaN");
        assert_eq!(
            s.source,
            Some(Source::Synth(SynthSpec {
                seed: 7,
                ..SynthSpec::default()
            }))
        );
        assert_eq!(n.len(), 3, "{n:?}");
    }

    fn arb_params() -> impl Strategy<Value = Params> {
        (
            0usize..6,
            0u32..=500,
            0.0f32..20.0,
            any::<u16>(),
            proptest::option::of(-10.0f64..10.0),
            0u32..=25,
            any::<bool>(),
            proptest::option::of(1u64..1_000_000),
            0.0f64..=1.0,
        )
            .prop_map(
                |(ch, bg, sigma, level, p1, open, split, max_area, circ)| Params {
                    channel: crate::imaging::Channel::ALL[ch],
                    background: bg,
                    sigma,
                    level,
                    local_p1: p1,
                    open_radius: open,
                    split,
                    max_area,
                    min_circularity: circ,
                    ..Params::default()
                },
            )
    }

    fn arb_view() -> impl Strategy<Value = Option<View>> {
        proptest::option::of(
            (MIN_ZOOM..=MAX_ZOOM, -1e6f64..1e6, -1e6f64..1e6).prop_map(|(zoom, cx, cy)| View {
                zoom,
                cx,
                cy,
            }),
        )
    }

    fn arb_display() -> impl Strategy<Value = Option<String>> {
        proptest::option::of(
            (
                any::<[bool; 3]>(),
                0u16..1000,
                1000u16..=65535,
                0.1f32..=5.0,
                0usize..9,
            )
                .prop_map(|(channels, min, max, gamma, lut)| {
                    let mut d = DisplaySettings::new(BitDepth::Sixteen);
                    d.channels = channels;
                    d.limits[2] = Limits { min, max };
                    d.gamma = gamma;
                    if lut < Lut::ALL.len() {
                        d.mode = DisplayMode::Analysed(Lut::ALL[lut]);
                    }
                    d.to_text()
                }),
        )
    }

    fn arb_source() -> impl Strategy<Value = Option<Source>> {
        let ids: Vec<String> = demos::demos().iter().map(|d| d.id.to_string()).collect();
        proptest::option::of(prop_oneof![
            proptest::sample::select(ids).prop_map(Source::Demo),
            (any::<u64>(), 0u32..=MAX_CELLS, 0.0f32..=1.0, 0.0f32..=MAX_NOISE).prop_map(
                |(seed, cells, touching, noise)| Source::Synth(SynthSpec {
                    seed,
                    cells,
                    touching,
                    noise
                })
            ),
            "(http|https|HTTP)://[a-z0-9]{1,10}(\\.[a-z]{2,5})?(:[1-9][0-9]{0,3})?(/[a-zA-Z0-9._~%!$&'()*+,;=:@?#-]{0,30}){0,3}"
                .prop_map(Source::Remote),
        ])
    }

    proptest! {
        #[test]
        fn generated_states_round_trip(
            params in arb_params(),
            view in arb_view(),
            display in arb_display(),
            layer in (any::<bool>(), any::<[u8; 3]>(), 0.0f32..=1.0),
            source in arb_source(),
        ) {
            let overlay = Overlay {
                truth: LayerSetting::new(layer.0, layer.1, layer.2),
                ..Overlay::default()
            };
            let s = ShareState { params, view, display, overlay, source, model: None, auto: false };
            let text = s.to_fragment();
            prop_assert_eq!(ShareState::from_fragment(&text), (s, vec![]));
        }

        #[test]
        fn any_text_reads_without_panicking(text in ".{0,300}") {
            let (s, n) = ShareState::from_fragment(&text);
            prop_assert!(n.len() <= MAX_NOTICES);
            if let Some(v) = s.view {
                prop_assert!(v.zoom.is_finite() && v.cx.is_finite() && v.cy.is_finite());
            }
        }

        #[test]
        fn link_like_text_reads_without_panicking(
            pairs in proptest::collection::vec(
                ("(link|v|preset|zoom|cx|cy|display|overlay|demo|synth|url|open|sigma|%[0-9A-Fa-f]{2}|.{0,4})",
                 "(%[0-9A-Fa-f]{0,2}|[0-9.e+-]{0,6}|.{0,6}){0,4}"),
                0..12,
            )
        ) {
            let text: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = ShareState::from_fragment(&text.join("&"));
        }
    }

    #[test]
    fn auto_travels_with_the_selected_images_preset_and_overrides_hand_edits() {
        for params in [
            Params::default(),
            Collection::Yellow.preset(),
            Collection::Red.preset(),
            Collection::Green.preset(),
        ] {
            let s = ShareState {
                params,
                auto: true,
                source: Some(Source::Demo("red-dmh".into())),
                ..ShareState::default()
            };
            let text = s.to_fragment();
            assert!(text.contains("&preset=auto&demo=red-dmh"), "{text}");
            assert_eq!(ShareState::from_fragment(&text), (s, vec![]));
        }
        let (s, n) = ShareState::from_fragment("preset=AUTO");
        assert!(s.auto && n.is_empty(), "{n:?}");
        // Settings edited by hand beside preset=auto: Auto wins, and the page says so.
        let mut edited = Collection::Red.preset();
        edited.set("min_area", "50").expect("min_area");
        let text = ShareState {
            params: edited,
            auto: true,
            ..ShareState::default()
        }
        .to_fragment();
        let (s, n) = ShareState::from_fragment(&text);
        assert!(s.auto);
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(n[0].message.contains("preset of its colour"), "{n:?}");
        // Any other preset name is not read: the settings in the link count every image.
        for bad in ["yellow", "custom", "%3Cb%3E", "auto2"] {
            let (s, n) = ShareState::from_fragment(&format!("channel=red&preset={bad}"));
            assert!(!s.auto, "{bad}");
            assert_eq!(s.params.channel, crate::imaging::Channel::Red, "{bad}");
            assert_eq!(n.len(), 1, "{bad}: {n:?}");
            assert!(n[0].message.contains("only auto"), "{bad}: {n:?}");
        }
        let (s, n) = ShareState::from_fragment("preset=auto&preset=auto");
        assert!(!s.auto && n.len() == 1, "given twice: {n:?}");
    }

    #[test]
    fn a_built_in_model_and_its_cut_off_travel_and_hostile_values_take_no_model() {
        let s = ShareState {
            model: Some(LinkModel {
                name: "yellow".into(),
                cutoff: Some(0.35),
            }),
            ..ShareState::default()
        };
        let text = s.to_fragment();
        assert!(text.ends_with("&model=yellow&cutoff=0.35"), "{text}");
        assert_eq!(ShareState::from_fragment(&text), (s, vec![]));
        let (s, n) = ShareState::from_fragment("model=RED");
        assert_eq!(s.model.map(|m| m.name), Some("red".to_string()));
        assert!(n.is_empty());
        for bad in [
            "model=mine",
            "model=%3Cscript%3E",
            "model=red&cutoff=2",
            "model=red&cutoff=NaN",
            "model=red&cutoff=-0.1",
            "cutoff=0.5",
            "model=red&model=yellow",
        ] {
            let (s, n) = ShareState::from_fragment(bad);
            assert_eq!(n.len(), 1, "{bad}: {n:?}");
            assert!(
                s.model.as_ref().is_none_or(|m| m.cutoff.is_none()),
                "{bad}: {s:?}"
            );
        }
    }
}
