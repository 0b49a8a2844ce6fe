//! The messages between the page and its Web Workers: a [`Request`] for a worker to do, the
//! [`Response`] it sends back, and their byte form ([`Request::encode`], [`Response::decode`]),
//! written with the primitives of [`crate::protocol::wire`]. Reading bytes never panics: anything
//! malformed is a [`WireError`].

use std::sync::Arc;

use crate::{
    count::{
        learn::{Labelled, model::MAX_BYTES as MAX_MODEL_BYTES},
        params::Params,
        pipeline::{Analysis, Prepared},
        presets::Collection,
        scoring::{ImageScore, ScoreOptions},
        synth::SynthParams,
    },
    imaging::{bitmask::BitMask, image::Image},
    protocol::{
        batch::{BatchJob, BatchRow},
        learn::{
            LabelSource, ModelUse, TrainJob, TrainResult, get_label_source, get_labelled,
            get_model_use, get_train_job, get_train_result, put_label_source, put_labelled,
            put_model_use, put_train_job, put_train_result,
        },
        wire::{
            Reader, WireError, WireResult, Writer, get_analysis, get_image, get_mask, get_prepared,
            get_score, get_score_options, put_analysis, put_image, put_mask, put_prepared,
            put_score, put_score_options,
        },
    },
    view::{
        display::{DisplayMode, DisplaySettings, GAMMA_MAX, GAMMA_MIN, Limits, Lut},
        overlay::Overlay,
        render::OverlayStyle,
    },
};

/// Something for a worker to do.
#[derive(Clone, Debug)]
pub enum Request {
    /// Decode a file. An image is kept under `id` (when `keep`) and sent back; a mask (`as_mask`)
    /// is reduced to its cells (any pixel above 0) and sent back.
    Decode {
        /// The image's id.
        id: u64,
        /// The file's bytes.
        bytes: Vec<u8>,
        /// Read it as a ground-truth mask.
        as_mask: bool,
        /// Keep the image for later counts.
        keep: bool,
    },
    /// Generate a synthetic image with its true mask, keep both under `id` and send them back.
    Synth {
        /// The image's id.
        id: u64,
        /// The generator's settings.
        params: SynthParams,
    },
    /// Attach (or detach) the ground-truth mask of a kept image.
    SetTruth {
        /// The image's id.
        id: u64,
        /// The mask.
        mask: Option<BitMask>,
    },
    /// Count a kept image.
    Count {
        /// The image's id.
        id: u64,
        /// The parameters.
        params: Params,
        /// How to score against the mask, if one is attached.
        scoring: ScoreOptions,
        /// Send the prepared planes back even if they were cached.
        want_prepared: bool,
        /// Count with a classifier instead of the parameters' filters (the parameters then only
        /// say nothing: the model's candidate setting is used).
        model: Option<ModelUse>,
    },
    /// Score a kept image with a mask against candidate parameters (auto-tune), with planes kept
    /// apart from the counts' so a search does not disturb them.
    Score {
        /// The image's id.
        id: u64,
        /// The candidate parameters.
        params: Params,
        /// How to score.
        scoring: ScoreOptions,
    },
    /// Drop a kept image.
    Forget {
        /// The image's id.
        id: u64,
    },
    /// Decode, count and score one file of a batch without keeping anything.
    Batch(BatchJob),
    /// Count a kept image with `params` and send back a small picture of the result (the image
    /// under `display` with the objects drawn in `style`), its count and its F1 against the
    /// attached mask: one card of *Try all*.
    Preview {
        /// The image's id.
        id: u64,
        /// The parameters.
        params: Params,
        /// How to score against the mask, if one is attached.
        scoring: ScoreOptions,
        /// How the image is shown.
        display: DisplaySettings,
        /// How the objects are drawn.
        style: OverlayStyle,
        /// Width of the picture, in pixels (never wider than the image).
        width: u32,
    },
    /// Make the viewer's frame of a kept image: its display picture with the overlay layers of its
    /// latest count, at the image's own resolution.
    Frame(Box<FrameJob>),
    /// Keep a model (its text, [`crate::count::learn::Model::to_text`]) under `id` for counts
    /// that name it; answers [`Response::Done`], or [`Response::Failed`] with why it cannot be
    /// read.
    SetModel {
        /// The model's id.
        id: u64,
        /// The model file's text.
        text: String,
    },
    /// The candidates of a kept image with their labels, for training.
    Label {
        /// The image's id.
        id: u64,
        /// Its name (carried into the labels, for the figures).
        name: String,
        /// The candidate setting.
        candidates: Params,
        /// The image's collection (for figures by collection).
        collection: Collection,
        /// Where the labels come from.
        source: LabelSource,
        /// How to match candidates to the mask's cells.
        scoring: ScoreOptions,
    },
    /// Train a model, with leave-one-image-out cross-validation; [`Response::Progress`] is sent
    /// along the way where the worker can ([`crate::protocol::engine::Engine::handle_with_progress`]).
    Train(Box<TrainJob>),
    /// Change the display settings of a kept image in a way that reads its pixels (ImageJ's
    /// Brightness/Contrast *Auto* and *Reset*, or a switch of what is shown), and send them back.
    Display {
        /// The image's id.
        id: u64,
        /// The settings now.
        settings: DisplaySettings,
        /// The change.
        change: DisplayChange,
    },
}

/// The viewer's frame of a kept image ([`Request::Frame`]).
#[derive(Clone, Debug, PartialEq)]
pub struct FrameJob {
    /// The image's id.
    pub id: u64,
    /// How the image is shown.
    pub display: DisplaySettings,
    /// The overlay switches.
    pub overlay: Overlay,
    /// Per label (index = label − 1): removed by a manual correction.
    pub removed: Vec<bool>,
    /// The number of objects of the count the page shows, `None` before its first count: the
    /// worker draws its latest count only if it has as many objects, and answers
    /// [`Response::Failed`] otherwise (the page's count is on its way).
    pub objects: Option<u32>,
}

/// A change of display settings that needs the image's pixels ([`Request::Display`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DisplayChange {
    /// The settings the image opened with (ImageJ's *Reset*).
    Reset,
    /// Each channel's limits from its histogram, with this percentage of pixels saturated
    /// (ImageJ's Enhance Contrast, 0 to 50).
    Auto {
        /// Percentage of saturated pixels.
        saturated: f64,
    },
    /// Show the composite or the analysed plane, over the full range of what is shown.
    Mode(DisplayMode),
}

/// What a worker sends back.
#[derive(Clone, Debug)]
pub enum Response {
    /// A decoded (or generated) image, with its true mask for a synthetic one, the display
    /// settings it opens with and the collection its colour says.
    Image {
        /// The image.
        image: Image,
        /// Its true mask.
        truth: Option<BitMask>,
        /// The display settings it opens with (ImageJ's rule for a 16-bit image).
        display: DisplaySettings,
        /// The collection detected from its colour.
        collection: Option<Collection>,
    },
    /// A decoded ground-truth mask.
    Mask(BitMask),
    /// A count.
    Counted {
        /// The analysis.
        analysis: Arc<Analysis>,
        /// The prepared planes, when they were computed anew or asked for.
        prepared: Option<Box<Prepared>>,
        /// The score against the attached mask.
        score: Option<ImageScore>,
        /// Time in the worker, in milliseconds.
        ms: f64,
    },
    /// A candidate's score (`None`: the image has no usable mask).
    Scored(Option<Box<ImageScore>>),
    /// A batch file's result.
    Batch(Box<BatchRow>),
    /// A preview's result.
    Preview(Box<Preview>),
    /// Display settings after a [`Request::Display`].
    Display(DisplaySettings),
    /// A frame (RGBA, `width * height`).
    Frame {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// The pixels.
        rgba: Vec<u8>,
    },
    /// A kept image's labelled candidates.
    Labelled(Box<Labelled>),
    /// A trained model with its held-out figures.
    Trained(Box<TrainResult>),
    /// Training goes on: trees grown so far and in all.
    Progress {
        /// Trees grown.
        done: u32,
        /// Trees in all.
        total: u32,
    },
    /// Done, nothing to send.
    Done,
    /// The request failed; the reason in words.
    Failed(String),
}

fn put_params(w: &mut Writer, p: &Params) {
    w.str(&p.to_query());
}

fn get_params(r: &mut Reader) -> WireResult<Params> {
    let text = r.str()?;
    let (p, notices) = Params::from_query(&text);
    match notices.first() {
        None => Ok(p),
        Some(n) => Err(WireError(format!("parameters: {n:?}"))),
    }
}

fn put_synth(w: &mut Writer, s: &SynthParams) {
    w.u64(s.seed);
    w.u32(s.width);
    w.u32(s.height);
    w.u32(s.cells);
    w.f32(s.touching);
    w.f32(s.noise);
    w.u32(s.debris);
    w.u32(s.faint);
}

fn get_synth(r: &mut Reader) -> WireResult<SynthParams> {
    Ok(SynthParams {
        seed: r.u64()?,
        width: r.u32()?,
        height: r.u32()?,
        cells: r.u32()?,
        touching: r.f32()?,
        noise: r.f32()?,
        debris: r.u32()?,
        faint: r.u32()?,
    })
}

fn collection_code(c: Option<Collection>) -> u8 {
    match c {
        None => 0,
        Some(Collection::Yellow) => 1,
        Some(Collection::Red) => 2,
        Some(Collection::Green) => 3,
    }
}

fn get_collection(r: &mut Reader) -> WireResult<Option<Collection>> {
    Ok(match r.u8()? {
        0 => None,
        1 => Some(Collection::Yellow),
        2 => Some(Collection::Red),
        3 => Some(Collection::Green),
        c => return Err(WireError(format!("collection {c}"))),
    })
}

/// One count of a kept image, with a small picture of it ([`Request::Preview`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Preview {
    /// Number of objects.
    pub count: u32,
    /// The global threshold level used, if any.
    pub level: Option<u16>,
    /// F1 against the attached mask, if there is one.
    pub f1: Option<f64>,
    /// The picture, as PNG (empty when it could not be made).
    pub png: Vec<u8>,
}

fn put_display(w: &mut Writer, d: &DisplaySettings) {
    put_mode(w, d.mode);
    for c in d.channels {
        w.bool(c);
    }
    for l in d.limits {
        w.u16(l.min);
        w.u16(l.max);
    }
    w.f32(d.gamma);
}

fn put_mode(w: &mut Writer, mode: DisplayMode) {
    match mode {
        DisplayMode::Composite => w.str(""),
        DisplayMode::Analysed(lut) => w.str(lut.name()),
    }
}

fn get_mode(r: &mut Reader) -> WireResult<DisplayMode> {
    Ok(match r.str()?.as_str() {
        "" => DisplayMode::Composite,
        name => DisplayMode::Analysed(
            Lut::from_name(name).ok_or_else(|| WireError(format!("lookup table {name:?}")))?,
        ),
    })
}

fn put_change(w: &mut Writer, c: &DisplayChange) {
    match c {
        DisplayChange::Reset => w.u8(0),
        DisplayChange::Auto { saturated } => {
            w.u8(1);
            w.f64(*saturated);
        }
        DisplayChange::Mode(mode) => {
            w.u8(2);
            put_mode(w, *mode);
        }
    }
}

fn get_change(r: &mut Reader) -> WireResult<DisplayChange> {
    Ok(match r.u8()? {
        0 => DisplayChange::Reset,
        1 => {
            let saturated = r.f64()?;
            if !(0.0..=50.0).contains(&saturated) {
                return Err(WireError(format!("saturated {saturated} %")));
            }
            DisplayChange::Auto { saturated }
        }
        2 => DisplayChange::Mode(get_mode(r)?),
        c => return Err(WireError(format!("display change {c}"))),
    })
}

fn get_display(r: &mut Reader) -> WireResult<DisplaySettings> {
    let mode = get_mode(r)?;
    let channels = [r.bool()?, r.bool()?, r.bool()?];
    let mut limits = [Limits { min: 0, max: 0 }; 3];
    for l in &mut limits {
        *l = Limits {
            min: r.u16()?,
            max: r.u16()?,
        };
        if l.min > l.max {
            return Err(WireError(format!("display range {}..{}", l.min, l.max)));
        }
    }
    let gamma = r.f32()?;
    if !(GAMMA_MIN..=GAMMA_MAX).contains(&gamma) {
        return Err(WireError(format!("gamma {gamma}")));
    }
    Ok(DisplaySettings {
        mode,
        channels,
        limits,
        gamma,
    })
}

fn put_colour(w: &mut Writer, c: &[u8; 3]) {
    c.iter().for_each(|&v| w.u8(v));
}

fn get_colour(r: &mut Reader) -> WireResult<[u8; 3]> {
    Ok([r.u8()?, r.u8()?, r.u8()?])
}

fn put_style(w: &mut Writer, s: &OverlayStyle) {
    w.opt(s.fill.as_ref(), |w, (c, opacity)| {
        put_colour(w, c);
        w.f32(*opacity);
    });
    w.opt(s.outline.as_ref(), put_colour);
}

fn get_style(r: &mut Reader) -> WireResult<OverlayStyle> {
    let fill = r.opt(|r| {
        let c = get_colour(r)?;
        let opacity = r.f32()?;
        if !(0.0..=1.0).contains(&opacity) {
            return Err(WireError(format!("opacity {opacity}")));
        }
        Ok((c, opacity))
    })?;
    Ok(OverlayStyle {
        fill,
        outline: r.opt(get_colour)?,
    })
}

impl Request {
    /// The byte form.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        match self {
            Request::Decode {
                id,
                bytes,
                as_mask,
                keep,
            } => {
                w.u8(1);
                w.u64(*id);
                w.bool(*as_mask);
                w.bool(*keep);
                w.bytes(bytes);
            }
            Request::Synth { id, params } => {
                w.u8(2);
                w.u64(*id);
                put_synth(&mut w, params);
            }
            Request::SetTruth { id, mask } => {
                w.u8(3);
                w.u64(*id);
                w.opt(mask.as_ref(), put_mask);
            }
            Request::Count {
                id,
                params,
                scoring,
                want_prepared,
                model,
            } => {
                w.u8(4);
                w.u64(*id);
                put_params(&mut w, params);
                put_score_options(&mut w, scoring);
                w.bool(*want_prepared);
                w.opt(model.as_ref(), put_model_use);
            }
            Request::SetModel { id, text } => {
                w.u8(11);
                w.u64(*id);
                w.str(text);
            }
            Request::Label {
                id,
                name,
                candidates,
                collection,
                source,
                scoring,
            } => {
                w.u8(12);
                w.u64(*id);
                w.str(name);
                put_params(&mut w, candidates);
                w.u8(collection_code(Some(*collection)));
                put_label_source(&mut w, source);
                put_score_options(&mut w, scoring);
            }
            Request::Train(job) => {
                w.u8(13);
                put_train_job(&mut w, job);
            }
            Request::Forget { id } => {
                w.u8(5);
                w.u64(*id);
            }
            Request::Score {
                id,
                params,
                scoring,
            } => {
                w.u8(7);
                w.u64(*id);
                put_params(&mut w, params);
                put_score_options(&mut w, scoring);
            }
            Request::Batch(job) => {
                w.u8(6);
                w.bytes(&job.bytes);
                w.opt(job.mask.as_ref(), |w, m| w.bytes(m));
                w.opt(job.params.as_ref(), put_params);
                put_score_options(&mut w, &job.scoring);
                w.u32(job.thumb_width);
                w.opt(job.model.as_ref(), put_model_use);
            }
            Request::Preview {
                id,
                params,
                scoring,
                display,
                style,
                width,
            } => {
                w.u8(8);
                w.u64(*id);
                put_params(&mut w, params);
                put_score_options(&mut w, scoring);
                put_display(&mut w, display);
                put_style(&mut w, style);
                w.u32(*width);
            }
            Request::Frame(job) => {
                w.u8(10);
                w.u64(job.id);
                put_display(&mut w, &job.display);
                w.str(&job.overlay.to_text());
                w.len(job.removed.len());
                for &r in &job.removed {
                    w.bool(r);
                }
                w.opt(job.objects.as_ref(), |w, &n| w.u32(n));
            }
            Request::Display {
                id,
                settings,
                change,
            } => {
                w.u8(9);
                w.u64(*id);
                put_display(&mut w, settings);
                put_change(&mut w, change);
            }
        }
        w.finish()
    }

    /// Reads the byte form.
    pub fn decode(bytes: &[u8]) -> WireResult<Request> {
        let mut r = Reader::new(bytes);
        let req = match r.u8()? {
            1 => {
                let id = r.u64()?;
                let as_mask = r.bool()?;
                let keep = r.bool()?;
                Request::Decode {
                    id,
                    as_mask,
                    keep,
                    bytes: r.bytes()?.to_vec(),
                }
            }
            2 => Request::Synth {
                id: r.u64()?,
                params: get_synth(&mut r)?,
            },
            3 => Request::SetTruth {
                id: r.u64()?,
                mask: r.opt(get_mask)?,
            },
            4 => Request::Count {
                id: r.u64()?,
                params: get_params(&mut r)?,
                scoring: get_score_options(&mut r)?,
                want_prepared: r.bool()?,
                model: r.opt(get_model_use)?,
            },
            11 => {
                let id = r.u64()?;
                let text = r.str()?;
                if text.len() > MAX_MODEL_BYTES {
                    return Err(WireError(format!("a model of {} bytes", text.len())));
                }
                Request::SetModel { id, text }
            }
            12 => Request::Label {
                id: r.u64()?,
                name: r.str()?,
                candidates: get_params(&mut r)?,
                collection: get_collection(&mut r)?
                    .ok_or_else(|| WireError("no collection".into()))?,
                source: get_label_source(&mut r)?,
                scoring: get_score_options(&mut r)?,
            },
            13 => Request::Train(Box::new(get_train_job(&mut r)?)),
            5 => Request::Forget { id: r.u64()? },
            7 => Request::Score {
                id: r.u64()?,
                params: get_params(&mut r)?,
                scoring: get_score_options(&mut r)?,
            },
            6 => Request::Batch(BatchJob {
                bytes: r.bytes()?.to_vec(),
                mask: r.opt(|r| Ok(r.bytes()?.to_vec()))?,
                params: r.opt(get_params)?,
                scoring: get_score_options(&mut r)?,
                thumb_width: r.u32()?,
                model: r.opt(get_model_use)?,
            }),
            8 => Request::Preview {
                id: r.u64()?,
                params: get_params(&mut r)?,
                scoring: get_score_options(&mut r)?,
                display: get_display(&mut r)?,
                style: get_style(&mut r)?,
                width: r.u32()?,
            },
            10 => {
                let id = r.u64()?;
                let display = get_display(&mut r)?;
                let text = r.str()?;
                let (overlay, notices) = Overlay::from_text(&text);
                if let Some(n) = notices.first() {
                    return Err(WireError(format!("overlay: {}: {}", n.key, n.message)));
                }
                let n = r.len(1)?;
                let removed = (0..n)
                    .map(|_| r.bool())
                    .collect::<WireResult<Vec<bool>>>()?;
                Request::Frame(Box::new(FrameJob {
                    id,
                    display,
                    overlay,
                    removed,
                    objects: r.opt(Reader::u32)?,
                }))
            }
            9 => Request::Display {
                id: r.u64()?,
                settings: get_display(&mut r)?,
                change: get_change(&mut r)?,
            },
            t => return Err(WireError(format!("request type {t}"))),
        };
        r.end()?;
        Ok(req)
    }
}

impl Response {
    /// The byte form.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        match self {
            Response::Image {
                image,
                truth,
                display,
                collection,
            } => {
                w.u8(1);
                put_image(&mut w, image);
                w.opt(truth.as_ref(), put_mask);
                put_display(&mut w, display);
                w.u8(collection_code(*collection));
            }
            Response::Mask(m) => {
                w.u8(2);
                put_mask(&mut w, m);
            }
            Response::Counted {
                analysis,
                prepared,
                score,
                ms,
            } => {
                w.u8(3);
                put_analysis(&mut w, analysis);
                w.opt(prepared.as_deref(), put_prepared);
                w.opt(score.as_ref(), put_score);
                w.f64(*ms);
            }
            Response::Batch(row) => {
                w.u8(4);
                w.u32(row.width);
                w.u32(row.height);
                w.str(&row.description);
                w.u8(collection_code(row.collection));
                w.str(&row.params);
                w.u32(row.count);
                w.opt(row.level.as_ref(), |w, &l| w.u16(l));
                w.f64(row.ms);
                w.opt(row.score.as_ref(), put_score);
                w.opt(row.mask_error.as_ref(), |w, e| w.str(e));
                w.opt(row.note.as_ref(), |w, e| w.str(e));
                w.str(&row.thumbnail);
            }
            Response::Done => w.u8(5),
            Response::Labelled(l) => {
                w.u8(11);
                put_labelled(&mut w, l);
            }
            Response::Trained(t) => {
                w.u8(12);
                put_train_result(&mut w, t);
            }
            Response::Progress { done, total } => {
                w.u8(13);
                w.u32(*done);
                w.u32(*total);
            }
            Response::Scored(score) => {
                w.u8(7);
                w.opt(score.as_deref(), put_score);
            }
            Response::Failed(reason) => {
                w.u8(6);
                w.str(reason);
            }
            Response::Display(d) => {
                w.u8(9);
                put_display(&mut w, d);
            }
            Response::Frame {
                width,
                height,
                rgba,
            } => {
                w.u8(10);
                w.u32(*width);
                w.u32(*height);
                w.bytes(rgba);
            }
            Response::Preview(p) => {
                w.u8(8);
                w.u32(p.count);
                w.opt(p.level.as_ref(), |w, &l| w.u16(l));
                w.opt(p.f1.as_ref(), |w, &f| w.f64(f));
                w.bytes(&p.png);
            }
        }
        w.finish()
    }

    /// Reads the byte form.
    pub fn decode(bytes: &[u8]) -> WireResult<Response> {
        let mut r = Reader::new(bytes);
        let resp = match r.u8()? {
            1 => Response::Image {
                image: get_image(&mut r)?,
                truth: r.opt(get_mask)?,
                display: get_display(&mut r)?,
                collection: get_collection(&mut r)?,
            },
            2 => Response::Mask(get_mask(&mut r)?),
            3 => Response::Counted {
                analysis: Arc::new(get_analysis(&mut r)?),
                prepared: r.opt(get_prepared)?.map(Box::new),
                score: r.opt(get_score)?,
                ms: r.f64()?,
            },
            4 => Response::Batch(Box::new(BatchRow {
                width: r.u32()?,
                height: r.u32()?,
                description: r.str()?,
                collection: get_collection(&mut r)?,
                params: r.str()?,
                count: r.u32()?,
                level: r.opt(Reader::u16)?,
                ms: r.f64()?,
                score: r.opt(get_score)?,
                mask_error: r.opt(Reader::str)?,
                note: r.opt(Reader::str)?,
                thumbnail: r.str()?,
            })),
            5 => Response::Done,
            11 => Response::Labelled(Box::new(get_labelled(&mut r)?)),
            12 => Response::Trained(Box::new(get_train_result(&mut r)?)),
            13 => Response::Progress {
                done: r.u32()?,
                total: r.u32()?,
            },
            7 => Response::Scored(r.opt(get_score)?.map(Box::new)),
            6 => Response::Failed(r.str()?),
            9 => Response::Display(get_display(&mut r)?),
            10 => {
                let width = r.u32()?;
                let height = r.u32()?;
                let rgba = r.bytes()?.to_vec();
                let expected = u64::from(width)
                    .checked_mul(u64::from(height))
                    .and_then(|n| n.checked_mul(4));
                if expected != Some(rgba.len() as u64) {
                    return Err(WireError(format!(
                        "a {width}x{height} frame of {} bytes",
                        rgba.len()
                    )));
                }
                Response::Frame {
                    width,
                    height,
                    rgba,
                }
            }
            8 => Response::Preview(Box::new(Preview {
                count: r.u32()?,
                level: r.opt(Reader::u16)?,
                f1: r.opt(Reader::f64)?,
                png: r.bytes()?.to_vec(),
            })),
            t => return Err(WireError(format!("response type {t}"))),
        };
        r.end()?;
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_whose_size_overflows_is_an_error_not_a_panic() {
        // Found by cargo-fuzz (target wire, fuzz/artifacts is not kept): a frame whose
        // width x height x 4 overflowed a u64 in the size check (a panic in a debug build).
        let crash = [
            0x0a, 0xc5, 0x27, 0x0a, 0x91, 0x91, 0xff, 0xff, 0xac, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x15,
            0, 0, 0,
        ];
        assert!(Response::decode(&crash).is_err());
        assert!(Request::decode(&crash).is_err());
        // The largest sides with an empty buffer: refused by the check, which cannot overflow.
        let mut big = vec![10u8];
        big.extend_from_slice(&u32::MAX.to_le_bytes());
        big.extend_from_slice(&u32::MAX.to_le_bytes());
        big.extend_from_slice(&0u32.to_le_bytes());
        assert!(Response::decode(&big).is_err());
    }
    use crate::protocol::learn::ModelRef;

    /// One request of each kind.
    fn requests() -> Vec<Request> {
        let params = Collection::Red.preset();
        let mut mask = BitMask::new(5, 3);
        mask.set(1, 2, true);
        vec![
            Request::Decode {
                id: 7,
                bytes: vec![1, 2, 3],
                as_mask: true,
                keep: false,
            },
            Request::Synth {
                id: 8,
                params: SynthParams {
                    seed: 42,
                    ..SynthParams::default()
                },
            },
            Request::SetTruth {
                id: 9,
                mask: Some(mask),
            },
            Request::SetTruth { id: 9, mask: None },
            Request::Count {
                id: 10,
                params: params.clone(),
                scoring: ScoreOptions::default(),
                want_prepared: true,
                model: None,
            },
            Request::Count {
                id: 10,
                params: params.clone(),
                scoring: ScoreOptions::default(),
                want_prepared: false,
                model: Some(ModelUse {
                    model: ModelRef::Sent(3),
                    cutoff: Some(0.3),
                    collection: Some(Collection::Red),
                }),
            },
            Request::SetModel {
                id: 3,
                text: "fluocount-model 1\n".into(),
            },
            Request::Label {
                id: 4,
                name: "a.png".into(),
                candidates: crate::count::learn::candidate_params(&params),
                collection: Collection::Green,
                source: LabelSource::Corrections {
                    objects: 2,
                    removed: vec![false, true],
                    added: 1,
                },
                scoring: ScoreOptions::default(),
            },
            Request::Label {
                id: 4,
                name: String::new(),
                candidates: params.clone(),
                collection: Collection::Yellow,
                source: LabelSource::Mask,
                scoring: ScoreOptions::default(),
            },
            Request::Train(Box::new(TrainJob {
                name: "lab".into(),
                candidates: crate::count::learn::Candidates::of_presets(),
                images: Vec::new(),
                options: crate::count::learn::TrainOptions::default(),
            })),
            Request::Score {
                id: 11,
                params: params.clone(),
                scoring: ScoreOptions {
                    max_distance: 12.5,
                    ..ScoreOptions::default()
                },
            },
            Request::Forget { id: 12 },
            Request::Batch(BatchJob {
                bytes: vec![9; 4],
                mask: Some(vec![0, 1]),
                params: Some(params),
                scoring: ScoreOptions::default(),
                thumb_width: 96,
                model: Some(ModelUse {
                    model: ModelRef::Builtin("auto".into()),
                    cutoff: None,
                    collection: None,
                }),
            }),
            Request::Preview {
                id: 13,
                params: Collection::Yellow.preset(),
                scoring: ScoreOptions::default(),
                display: DisplaySettings {
                    mode: DisplayMode::Analysed(Lut::Fire),
                    channels: [true, false, true],
                    limits: [
                        Limits { min: 3, max: 200 },
                        Limits { min: 0, max: 255 },
                        Limits { min: 9, max: 9 },
                    ],
                    gamma: 0.5,
                },
                style: OverlayStyle::new(true, true),
                width: 200,
            },
            Request::Preview {
                id: 14,
                params: Collection::Green.preset(),
                scoring: ScoreOptions::default(),
                display: DisplaySettings::default(),
                style: OverlayStyle::new(false, false),
                width: 1,
            },
            Request::Display {
                id: 15,
                settings: DisplaySettings::default(),
                change: DisplayChange::Auto { saturated: 0.35 },
            },
            Request::Display {
                id: 15,
                settings: DisplaySettings::default(),
                change: DisplayChange::Mode(DisplayMode::Analysed(Lut::Grays)),
            },
            Request::Display {
                id: 16,
                settings: DisplaySettings::default(),
                change: DisplayChange::Reset,
            },
            Request::Frame(Box::new(FrameJob {
                id: 17,
                display: DisplaySettings::default(),
                overlay: Overlay::default(),
                removed: vec![false, true, false],
                objects: Some(3),
            })),
            Request::Frame(Box::new(FrameJob {
                id: 18,
                display: DisplaySettings::default(),
                overlay: Overlay::default(),
                removed: Vec::new(),
                objects: None,
            })),
        ]
    }

    #[test]
    fn every_request_reads_back_as_it_was_written() {
        for req in requests() {
            let bytes = req.encode();
            let back = Request::decode(&bytes).expect("a written request reads back");
            assert_eq!(back.encode(), bytes, "{req:?}");
            assert_eq!(format!("{back:?}"), format!("{req:?}"));
        }
    }

    fn some_responses() -> Vec<Response> {
        vec![
            Response::Mask(BitMask::new(3, 2)),
            Response::Scored(None),
            Response::Done,
            Response::Progress { done: 3, total: 64 },
            Response::Trained(Box::new(TrainResult {
                model: "fluocount-model 1".into(),
                held: Vec::new(),
                curve: Vec::new(),
                seeds: Vec::new(),
            })),
            Response::Failed("no such image".into()),
            Response::Preview(Box::new(Preview {
                count: 12,
                level: Some(40),
                f1: Some(0.75),
                png: vec![137, 80, 78, 71],
            })),
            Response::Preview(Box::new(Preview {
                count: 0,
                level: None,
                f1: None,
                png: Vec::new(),
            })),
            Response::Display(DisplaySettings::new(crate::imaging::BitDepth::Sixteen)),
            Response::Frame {
                width: 2,
                height: 1,
                rgba: vec![1, 2, 3, 255, 4, 5, 6, 255],
            },
            Response::Image {
                image: Image::gray8(2, 1, vec![0, 9]),
                truth: None,
                display: DisplaySettings::default(),
                collection: Some(Collection::Red),
            },
        ]
    }

    #[test]
    fn previews_refuse_display_settings_and_styles_out_of_range() {
        let good = Request::Preview {
            id: 1,
            params: Collection::Yellow.preset(),
            scoring: ScoreOptions::default(),
            display: DisplaySettings::default(),
            style: OverlayStyle::new(true, false),
            width: 50,
        };
        let with = |display: DisplaySettings, style: OverlayStyle| match &good {
            Request::Preview {
                id,
                params,
                scoring,
                width,
                ..
            } => Request::Preview {
                id: *id,
                params: params.clone(),
                scoring: *scoring,
                display,
                style,
                width: *width,
            },
            _ => unreachable!(),
        };
        assert!(Request::decode(&good.encode()).is_ok());
        let d = DisplaySettings::default();
        let s = OverlayStyle::new(true, false);
        for bad in [
            with(DisplaySettings { gamma: 0.0, ..d }, s),
            with(
                DisplaySettings {
                    gamma: f32::NAN,
                    ..d
                },
                s,
            ),
            with(
                DisplaySettings {
                    limits: [Limits { min: 9, max: 8 }; 3],
                    ..d
                },
                s,
            ),
            with(
                d,
                OverlayStyle {
                    fill: Some(([1, 2, 3], 1.5)),
                    outline: None,
                },
            ),
        ] {
            assert!(Request::decode(&bad.encode()).is_err(), "{bad:?}");
        }
        for saturated in [-0.1, 50.5, f64::NAN] {
            let bad = Request::Display {
                id: 1,
                settings: d,
                change: DisplayChange::Auto { saturated },
            };
            assert!(Request::decode(&bad.encode()).is_err(), "{bad:?}");
        }
    }

    /// Every proper prefix and the message with one more byte must be refused by `read`.
    fn refuses_cut_and_lengthened<T>(bytes: &[u8], read: impl Fn(&[u8]) -> WireResult<T>) {
        for cut in 0..bytes.len() {
            assert!(
                read(&bytes[..cut]).is_err(),
                "cut at {cut} of {}",
                bytes.len()
            );
        }
        let mut longer = bytes.to_vec();
        longer.push(0);
        assert!(read(&longer).is_err(), "a trailing byte is refused");
    }

    #[test]
    fn every_cut_or_lengthened_message_is_an_error_not_a_panic() {
        for req in requests() {
            refuses_cut_and_lengthened(&req.encode(), Request::decode);
        }
        for resp in some_responses() {
            refuses_cut_and_lengthened(&resp.encode(), Response::decode);
        }
    }

    #[test]
    fn responses_read_back_as_they_were_written() {
        for resp in some_responses() {
            let bytes = resp.encode();
            let back = Response::decode(&bytes).expect("a written response reads back");
            assert_eq!(back.encode(), bytes);
        }
    }
}
