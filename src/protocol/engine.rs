//! The compute engine behind the page's Web Workers: [`Request`]s in, [`Response`]s out (their
//! byte form is in [`crate::protocol::messages`]). Each worker owns one [`Engine`],
//! which keeps the images it decoded (and their prepared planes) so that a parameter change only
//! sends the parameters. Everything here is pure Rust and is tested natively.

use crate::{
    count::{
        learn::{self, Model},
        params::Params,
        pipeline::{Analysis, Prepared, analyze_prepared, prepare, prepared_matches},
        presets::{Collection, detect_collection},
        scoring::{ImageScore, ScoreOptions, mask_of, score, truth_mask},
        synth::generate,
    },
    imaging::{
        bitmask::BitMask,
        channel::Plane,
        decode::{DecodeLimits, decode},
        image::Image,
    },
    protocol::{
        batch::{ReadFile, run_batch, run_batch_read},
        learn::{LabelSource, ModelRef, ModelUse, Resolved, builtin, parse_model, run_training},
        messages::{DisplayChange, FrameJob, Preview, Request, Response},
    },
    util::clock::now_ms,
    view::{
        display::{
            DisplayMode, DisplaySettings, auto_display, initial_display, rendered, switch_mode,
        },
        frame::{FrameParts, frame},
        render::{OverlayStyle, composite, thumbnail},
    },
};
use std::{cell::RefCell, collections::HashMap, sync::Arc};

/// The most models a worker keeps; the oldest goes first.
pub const MAX_MODELS: usize = 8;

struct Kept {
    image: Arc<Image>,
    /// The collection detected from its colour.
    collection: Option<Collection>,
    truth: Option<BitMask>,
    prepared: Option<(Params, Arc<Prepared>)>,
    tune_prepared: crate::count::tune::PreparedCache,
    /// The picture of the image under the display settings of the last preview.
    picture: Option<(DisplaySettings, Arc<Vec<u8>>)>,
    /// The latest count and its score, for the viewer's frames.
    last: Option<(Arc<Analysis>, Option<ImageScore>)>,
}

/// A worker's state: the images it keeps.
#[derive(Default)]
pub struct Engine {
    kept: HashMap<u64, Kept>,
    limits: DecodeLimits,
    /// Models the page sent, by id, oldest first.
    models: Vec<(u64, Arc<Model>)>,
    /// Built-in models read so far, by name.
    builtins: RefCell<HashMap<String, Arc<Model>>>,
}

impl Engine {
    /// An engine with the default decoding limits.
    pub fn new() -> Self {
        Engine::default()
    }

    /// Number of images kept.
    pub fn kept(&self) -> usize {
        self.kept.len()
    }

    /// Carries out one request.
    pub fn handle(&mut self, request: Request) -> Response {
        self.handle_with_progress(request, |_, _| true)
    }

    /// Carries out one request; a [`Request::Train`] calls `progress(done, total)` after each
    /// tree, and stops (answering [`Response::Failed`]) when it returns false.
    pub fn handle_with_progress(
        &mut self,
        request: Request,
        progress: impl FnMut(usize, usize) -> bool,
    ) -> Response {
        match request {
            Request::SetModel { id, text } => match parse_model(&text) {
                Ok(model) => {
                    self.models.retain(|(k, _)| *k != id);
                    if self.models.len() >= MAX_MODELS {
                        self.models.remove(0);
                    }
                    self.models.push((id, Arc::new(model)));
                    Response::Done
                }
                Err(reason) => Response::Failed(reason),
            },
            Request::Label {
                id,
                name,
                candidates,
                collection,
                source,
                scoring,
            } => self.label(id, &name, &candidates, collection, &source, scoring),
            Request::Train(job) => match run_training(&job, progress) {
                None => Response::Failed("cancelled".into()),
                Some(Err(reason)) => Response::Failed(reason),
                Some(Ok(result)) => Response::Trained(Box::new(result)),
            },
            Request::Decode {
                id,
                bytes,
                as_mask,
                keep,
            } => match decode(&bytes, &self.limits) {
                Err(e) => Response::Failed(e.to_string()),
                Ok(image) if as_mask => Response::Mask(mask_of(&image)),
                Ok(image) => {
                    let collection = detect_collection(&image);
                    if keep {
                        self.keep(id, image.clone(), None, collection);
                    }
                    opened(image, None, collection)
                }
            },
            Request::Synth { id, params } => {
                if u64::from(params.width) * u64::from(params.height) > self.limits.max_pixels {
                    return Response::Failed("the synthetic image would be too large".into());
                }
                let s = generate(&params);
                let truth = truth_mask(&Plane::from_u8(params.width, params.height, &s.truth));
                let collection = detect_collection(&s.image);
                self.keep(id, s.image.clone(), Some(truth.clone()), collection);
                opened(s.image, Some(truth), collection)
            }
            Request::SetTruth { id, mask } => match self.kept.get_mut(&id) {
                Some(k) => {
                    k.truth = mask;
                    Response::Done
                }
                None => Response::Failed(format!("image {id} is not loaded in this worker")),
            },
            Request::Count {
                id,
                params,
                scoring,
                want_prepared,
                model,
            } => self.count(id, &params, scoring, want_prepared, model.as_ref()),
            Request::Score {
                id,
                params,
                scoring,
            } => match self.kept.get_mut(&id) {
                None => Response::Failed(format!("image {id} is not loaded in this worker")),
                Some(k) => Response::Scored(k.truth.as_ref().and_then(|t| {
                    crate::count::tune::score_candidate(
                        &k.image,
                        t,
                        &mut k.tune_prepared,
                        &params,
                        scoring,
                    )
                    .map(Box::new)
                })),
            },
            Request::Forget { id } => {
                self.kept.remove(&id);
                Response::Done
            }
            Request::Batch(job) => match run_batch(&job, &self.limits, &|c| {
                self.resolve_job(job.model.as_ref(), c)
            }) {
                Ok(row) => Response::Batch(Box::new(row)),
                Err(reason) => Response::Failed(reason),
            },
            Request::Preview {
                id,
                params,
                scoring,
                display,
                style,
                width,
            } => self.preview(id, &params, scoring, &display, &style, width),
            Request::Frame(job) => self.frame(&job),
            Request::Display {
                id,
                mut settings,
                change,
            } => match self.kept.get(&id) {
                None => Response::Failed(format!("image {id} is not loaded in this worker")),
                Some(k) => {
                    let analysed = k.prepared.as_ref().map(|(_, p)| p.thresholded());
                    match change {
                        DisplayChange::Reset => settings = initial_display(&k.image),
                        DisplayChange::Auto { saturated } => {
                            auto_display(&mut settings, &k.image, analysed, saturated)
                        }
                        DisplayChange::Mode(mode) => {
                            switch_mode(&mut settings, mode, &k.image, analysed)
                        }
                    }
                    Response::Display(settings)
                }
            },
        }
    }

    /// The planes of kept image `k` prepared for `params`, from its cache when they match, and
    /// whether they were made anew.
    fn prepared(k: &mut Kept, params: &Params) -> (Arc<Prepared>, bool) {
        match &k.prepared {
            Some((with, p)) if prepared_matches(with, params) => (p.clone(), false),
            _ => {
                let p = Arc::new(prepare(&k.image, params));
                k.prepared = Some((params.clone(), p.clone()));
                (p, true)
            }
        }
    }

    fn preview(
        &mut self,
        id: u64,
        params: &Params,
        scoring: ScoreOptions,
        display: &DisplaySettings,
        style: &OverlayStyle,
        width: u32,
    ) -> Response {
        let Some(k) = self.kept.get_mut(&id) else {
            return Response::Failed(format!("image {id} is not loaded in this worker"));
        };
        let (prepared, _) = Self::prepared(k, params);
        let a = analyze_prepared(&prepared, params);
        let f1 = k
            .truth
            .as_ref()
            .and_then(|t| score(&a.components, t, scoring).ok())
            .map(|s| s.f1());
        let base = Self::picture(k, display);
        let rgba = composite(&base, &a.labels, a.width, a.height, style);
        Response::Preview(Box::new(Preview {
            count: u32::try_from(a.count()).unwrap_or(u32::MAX),
            level: a.level,
            f1,
            png: thumbnail(&rgba, a.width, a.height, width.max(1)).unwrap_or_default(),
        }))
    }

    /// The display picture of kept image `k` under `display`, kept while the settings stay and
    /// show the composite (a *Try all* run and the viewer's frames send the same settings again
    /// and again; the analysed view follows the prepared plane, which changes).
    fn picture(k: &mut Kept, display: &DisplaySettings) -> Arc<Vec<u8>> {
        match &k.picture {
            Some((with, rgba)) if with == display && display.mode == DisplayMode::Composite => {
                rgba.clone()
            }
            _ => {
                let analysed = k.prepared.as_ref().map(|(_, p)| p.thresholded());
                let rgba = Arc::new(rendered(&k.image, analysed, display));
                k.picture = Some((*display, rgba.clone()));
                rgba
            }
        }
    }

    /// The viewer's frame of a kept image: its picture with the layers of its latest count.
    fn frame(&mut self, job: &FrameJob) -> Response {
        let Some(k) = self.kept.get_mut(&job.id) else {
            return Response::Failed(format!("image {} is not loaded in this worker", job.id));
        };
        let drawn = match (job.objects, &k.last) {
            (None, _) => false,
            (Some(n), Some((a, _))) if a.count() as u64 == u64::from(n) => true,
            (Some(_), _) => {
                return Response::Failed("the count drawn is not the worker's latest".into());
            }
        };
        let base = Self::picture(k, &job.display);
        let last = k.last.as_ref().filter(|_| drawn);
        let (width, height) = (k.image.width(), k.image.height());
        let rgba = frame(&FrameParts {
            base: &base,
            width,
            height,
            analysis: last.map(|(a, _)| &**a),
            score: last.and_then(|(_, s)| s.as_ref()),
            truth: k.truth.as_ref(),
            overlay: &job.overlay,
            removed: &job.removed,
        });
        Response::Frame {
            width,
            height,
            rgba,
        }
    }

    fn keep(&mut self, id: u64, image: Image, truth: Option<BitMask>, c: Option<Collection>) {
        self.kept.insert(
            id,
            Kept {
                image: Arc::new(image),
                collection: c,
                truth,
                prepared: None,
                tune_prepared: None,
                picture: None,
                last: None,
            },
        );
    }

    /// The model `m` names, for an image whose colour says `detected`.
    fn resolve(&self, m: &ModelUse, detected: Option<Collection>) -> Result<Resolved, String> {
        let collection = m.collection.or(detected).unwrap_or_default();
        let model = match &m.model {
            ModelRef::Sent(id) => self
                .models
                .iter()
                .find(|(k, _)| k == id)
                .map(|(_, m)| m.clone())
                .ok_or_else(|| format!("model {id} was not sent to this worker"))?,
            ModelRef::Builtin(name) => self.builtin(name)?,
        };
        Ok(Resolved {
            cutoff: m.cutoff.unwrap_or(model.cutoff),
            model,
            collection,
        })
    }

    /// A job's model, if it names one ([`crate::protocol::learn::ModelFor`]).
    fn resolve_job(
        &self,
        m: Option<&ModelUse>,
        detected: Option<Collection>,
    ) -> Result<Option<Resolved>, String> {
        m.map(|m| self.resolve(m, detected)).transpose()
    }

    /// A built-in model, read once.
    fn builtin(&self, name: &str) -> Result<Arc<Model>, String> {
        if let Some(m) = self.builtins.borrow().get(name) {
            return Ok(m.clone());
        }
        let m = Arc::new(builtin(name).ok_or_else(|| format!("no built-in model {name:?}"))?);
        self.builtins
            .borrow_mut()
            .insert(name.to_string(), m.clone());
        Ok(m)
    }

    /// The candidates of kept image `id` found with `candidates`, labelled from its mask or from
    /// the user's corrections of its latest count.
    fn label(
        &mut self,
        id: u64,
        name: &str,
        candidates: &Params,
        collection: Collection,
        source: &LabelSource,
        scoring: ScoreOptions,
    ) -> Response {
        let Some(k) = self.kept.get_mut(&id) else {
            return Response::Failed(format!("image {id} is not loaded in this worker"));
        };
        let (prepared, _) = Self::prepared(k, candidates);
        let found = analyze_prepared(&prepared, candidates);
        let labelled = match source {
            LabelSource::Mask => match &k.truth {
                None => return Response::Failed(format!("{name} has no mask")),
                Some(t) => {
                    learn::label_by_mask(name, collection.name(), &prepared, &found, t, scoring)
                }
            },
            LabelSource::Corrections {
                objects,
                removed,
                added,
            } => {
                let Some((last, _)) = k
                    .last
                    .as_ref()
                    .filter(|(a, _)| a.count() as u64 == u64::from(*objects))
                else {
                    return Response::Failed(format!(
                        "{name}: the count corrected is not the worker's latest"
                    ));
                };
                let at = |x: u32, y: u32| {
                    let i = y as usize * last.width as usize + x as usize;
                    last.labels.get(i).copied().unwrap_or(0)
                };
                let is_removed = |x: u32, y: u32| {
                    let l = at(x, y);
                    l > 0 && removed.get(l as usize - 1).copied().unwrap_or(false)
                };
                let counted = |i: usize| {
                    found
                        .objects
                        .get(i)
                        .is_some_and(|o| at(o.x as u32, o.y as u32) > 0)
                };
                learn::label_by_corrections(
                    name,
                    collection.name(),
                    &prepared,
                    &found,
                    is_removed,
                    counted,
                    *added,
                )
            }
        };
        Response::Labelled(Box::new(labelled))
    }

    fn count(
        &mut self,
        id: u64,
        params: &Params,
        scoring: ScoreOptions,
        want: bool,
        model: Option<&ModelUse>,
    ) -> Response {
        let t0 = now_ms();
        let detected = self.kept.get(&id).and_then(|k| k.collection);
        let model = match self.resolve_job(model, detected) {
            Ok(m) => m,
            Err(reason) => return Response::Failed(reason),
        };
        let Some(k) = self.kept.get_mut(&id) else {
            return Response::Failed(format!("image {id} is not loaded in this worker"));
        };
        let params = model
            .as_ref()
            .map_or_else(|| params.clone(), Resolved::params);
        let (prepared, fresh) = Self::prepared(k, &params);
        let analysis = match &model {
            Some(m) => learn::apply(&prepared, &m.model, m.collection, m.cutoff),
            None => analyze_prepared(&prepared, &params),
        };
        Self::counted(
            k,
            analysis,
            scoring,
            (fresh || want).then_some(prepared),
            t0,
        )
    }

    /// The answer to a count: scored against the mask, kept for the viewer's frames.
    fn counted(
        k: &mut Kept,
        analysis: Analysis,
        scoring: ScoreOptions,
        prepared: Option<Arc<Prepared>>,
        t0: f64,
    ) -> Response {
        let analysis = Arc::new(analysis);
        let score = k
            .truth
            .as_ref()
            .and_then(|t| score(&analysis.components, t, scoring).ok());
        // Kept for the viewer's frames of this count.
        k.last = Some((analysis.clone(), score.clone()));
        Response::Counted {
            analysis,
            prepared: prepared.map(|p| Box::new((*p).clone())),
            score,
            ms: now_ms() - t0,
        }
    }
}

/// The answer to a decoded or generated image: the image with the display settings it opens with
/// and the collection its colour says, both read from its pixels here rather than on the page.
fn opened(image: Image, truth: Option<BitMask>, collection: Option<Collection>) -> Response {
    Response::Image {
        display: initial_display(&image),
        collection,
        image,
        truth,
    }
}

/// Handles one encoded request and encodes the response; a request that cannot be read gets a
/// [`Response::Failed`] with the reason.
pub fn handle_bytes(engine: &mut Engine, bytes: &[u8]) -> Vec<u8> {
    match Request::decode(bytes) {
        Ok(req) => engine.handle(req),
        Err(e) => Response::Failed(e.to_string()),
    }
    .encode()
}

/// Like [`handle_bytes`], for a request sent with files for the worker to read: a
/// [`Request::Batch`] takes its image from `files[0]` and its mask from `files[1]` (when
/// given). Any other request ignores `files`.
pub fn handle_bytes_with_files(engine: &mut Engine, bytes: &[u8], files: Vec<ReadFile>) -> Vec<u8> {
    let mut files = files.into_iter();
    match (Request::decode(bytes), files.next()) {
        (Ok(Request::Batch(job)), Some(image)) => {
            let model = job.model.clone();
            let engine = &*engine;
            let resolve = |c| engine.resolve_job(model.as_ref(), c);
            match run_batch_read(job, image, files.next(), &engine.limits, &resolve) {
                Ok(row) => Response::Batch(Box::new(row)),
                Err(reason) => Response::Failed(reason),
            }
        }
        (Ok(req), _) => engine.handle(req),
        (Err(e), _) => Response::Failed(e.to_string()),
    }
    .encode()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        count::{
            analyze, export::label_png, pipeline::analyze as whole, presets::Collection,
            synth::SynthParams,
        },
        imaging::Pixels,
        protocol::batch::{BatchJob, too_large},
        view::render::labelled_thumbnail,
    };

    fn synth(seed: u64) -> SynthParams {
        SynthParams {
            seed,
            width: 320,
            height: 240,
            cells: 8,
            touching: 0.25,
            ..SynthParams::default()
        }
    }

    fn png_of(image: &Image) -> Vec<u8> {
        let Pixels::U8(data) = image.pixels() else {
            panic!("8-bit")
        };
        let mut out = Vec::new();
        use image::ImageEncoder;
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(
                data,
                image.width(),
                image.height(),
                image::ExtendedColorType::Rgb8,
            )
            .expect("encodes");
        out
    }

    /// A 320x240 true mask as an 8-bit grey PNG file.
    fn truth_png_of(truth: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        use image::ImageEncoder;
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(truth, 320, 240, image::ExtendedColorType::L8)
            .expect("encodes");
        out
    }

    fn through_bytes(engine: &mut Engine, req: Request) -> Response {
        let bytes = handle_bytes(engine, &req.encode());
        Response::decode(&bytes).expect("a response reads back")
    }

    #[test]
    fn counts_in_the_engine_equal_the_direct_analysis() {
        let mut e = Engine::new();
        let s = generate(&synth(3));
        let png = png_of(&s.image);
        let Response::Image {
            image,
            truth,
            display,
            collection,
        } = through_bytes(
            &mut e,
            Request::Decode {
                id: 7,
                bytes: png,
                as_mask: false,
                keep: true,
            },
        )
        else {
            panic!("decoded")
        };
        assert_eq!(image, s.image);
        assert!(truth.is_none());
        assert_eq!(display, crate::view::display::initial_display(&s.image));
        assert_eq!(
            collection,
            Some(Collection::Yellow),
            "the synthetic cells are yellow"
        );
        let params = Collection::Yellow.preset();
        let Response::Counted {
            analysis, prepared, ..
        } = through_bytes(
            &mut e,
            Request::Count {
                id: 7,
                params: params.clone(),
                scoring: ScoreOptions::default(),
                want_prepared: false,
                model: None,
            },
        )
        else {
            panic!("counted")
        };
        let direct = whole(&s.image, &params);
        assert_eq!(analysis.count(), direct.count());
        assert_eq!(analysis.labels, direct.labels);
        assert_eq!(label_png(&analysis), label_png(&direct));
        assert!(prepared.is_some(), "first count sends the planes");
        // A threshold change reuses the planes and does not send them again.
        let mut p2 = params.clone();
        p2.min_area = 50;
        let Response::Counted { prepared, .. } = through_bytes(
            &mut e,
            Request::Count {
                id: 7,
                params: p2,
                scoring: ScoreOptions::default(),
                want_prepared: false,
                model: None,
            },
        ) else {
            panic!("counted")
        };
        assert!(prepared.is_none());
        assert!(matches!(
            through_bytes(&mut e, Request::Forget { id: 7 }),
            Response::Done
        ));
        assert_eq!(e.kept(), 0);
        assert!(matches!(
            through_bytes(
                &mut e,
                Request::Count {
                    id: 7,
                    params,
                    scoring: ScoreOptions::default(),
                    want_prepared: false,
                    model: None,
                }
            ),
            Response::Failed(_)
        ));
    }

    #[test]
    fn previews_count_and_score_as_counts_do_and_draw_a_picture_of_the_asked_width() {
        use crate::{
            imaging::threshold::global::AutoMethod,
            view::{display::DisplaySettings, render::OverlayStyle},
        };
        let mut e = Engine::new();
        through_bytes(
            &mut e,
            Request::Synth {
                id: 3,
                params: synth(5),
            },
        );
        let base = Collection::Yellow.preset();
        let mut pictures = Vec::new();
        for method in [AutoMethod::Otsu, AutoMethod::Huang, AutoMethod::Otsu] {
            let params = Params {
                method: crate::count::ThresholdMethod::Auto(method),
                ..base.clone()
            };
            let Response::Counted {
                analysis, score, ..
            } = through_bytes(
                &mut e,
                Request::Count {
                    id: 3,
                    params: params.clone(),
                    scoring: ScoreOptions::default(),
                    want_prepared: false,
                    model: None,
                },
            )
            else {
                panic!("counted")
            };
            let Response::Preview(p) = through_bytes(
                &mut e,
                Request::Preview {
                    id: 3,
                    params,
                    scoring: ScoreOptions::default(),
                    display: DisplaySettings::default(),
                    style: OverlayStyle::new(true, true),
                    width: 80,
                },
            ) else {
                panic!("previewed")
            };
            assert_eq!(p.count as usize, analysis.count(), "{method:?}");
            assert_eq!(p.level, analysis.level);
            assert_eq!(p.f1, score.map(|s| s.f1()));
            let png = image::load_from_memory(&p.png).expect("a PNG");
            assert_eq!(png.width(), 80);
            assert_eq!(png.height(), 60, "the image's 320x240 scaled to 80 wide");
            pictures.push(p.png);
        }
        assert_eq!(
            pictures[0], pictures[2],
            "the same method draws the same picture"
        );
        assert!(matches!(
            through_bytes(
                &mut e,
                Request::Preview {
                    id: 99,
                    params: base,
                    scoring: ScoreOptions::default(),
                    display: DisplaySettings::default(),
                    style: OverlayStyle::new(true, true),
                    width: 80,
                },
            ),
            Response::Failed(_)
        ));
    }

    #[test]
    fn display_changes_read_the_kept_image_as_the_page_would() {
        use crate::{
            imaging::image::Layout,
            view::display::{
                DisplayMode, DisplaySettings, Limits, Lut, auto_display, initial_display,
                switch_mode,
            },
        };
        // A 16-bit grey image: it opens with its own min..max (ImageJ's rule).
        let data: Vec<u16> = (0..64u16).map(|i| 1000 + i * 50).collect();
        let image = Image::new(8, 8, Layout::Gray, Pixels::U16(data));
        let mut e = Engine::new();
        e.keep(4, image.clone(), None, None);
        let ask =
            |e: &mut Engine, settings: DisplaySettings, change: DisplayChange| match through_bytes(
                e,
                Request::Display {
                    id: 4,
                    settings,
                    change,
                },
            ) {
                Response::Display(d) => d,
                other => panic!("{other:?}"),
            };
        let opened = initial_display(&image);
        assert_eq!(
            opened.limits[0],
            Limits {
                min: 1000,
                max: 4150
            }
        );
        let mut stretched = opened;
        stretched.limits[0] = Limits { min: 0, max: 9 };
        assert_eq!(ask(&mut e, stretched, DisplayChange::Reset), opened);
        let mut want = stretched;
        auto_display(&mut want, &image, None, 5.0);
        assert_eq!(
            ask(&mut e, stretched, DisplayChange::Auto { saturated: 5.0 }),
            want
        );
        assert_ne!(want, stretched, "Auto moved the limits");
        let mode = DisplayMode::Analysed(Lut::Fire);
        let mut want = opened;
        switch_mode(&mut want, mode, &image, None);
        assert_eq!(ask(&mut e, opened, DisplayChange::Mode(mode)), want);
        assert!(matches!(
            through_bytes(
                &mut e,
                Request::Display {
                    id: 5,
                    settings: opened,
                    change: DisplayChange::Reset,
                },
            ),
            Response::Failed(_)
        ));
    }

    #[test]
    fn frames_draw_the_latest_count_as_the_page_would_and_refuse_another_count() {
        use crate::view::{
            display::{DisplaySettings, rendered},
            frame::{FrameParts, frame},
            overlay::Overlay,
        };
        let mut e = Engine::new();
        through_bytes(
            &mut e,
            Request::Synth {
                id: 2,
                params: synth(9),
            },
        );
        let ask = |e: &mut Engine, removed: Vec<bool>, objects: Option<u32>| {
            through_bytes(
                e,
                Request::Frame(Box::new(FrameJob {
                    id: 2,
                    display: DisplaySettings::default(),
                    overlay: Overlay::default(),
                    removed,
                    objects,
                })),
            )
        };
        let s = generate(&synth(9));
        let picture = rendered(&s.image, None, &DisplaySettings::default());
        let Response::Frame { rgba, width, .. } = ask(&mut e, Vec::new(), None) else {
            panic!("framed")
        };
        assert_eq!(
            (rgba.as_slice(), width),
            (picture.as_slice(), 320),
            "no count yet"
        );
        let Response::Counted {
            analysis, score, ..
        } = through_bytes(
            &mut e,
            Request::Count {
                id: 2,
                params: Collection::Yellow.preset(),
                scoring: ScoreOptions::default(),
                want_prepared: false,
                model: None,
            },
        )
        else {
            panic!("counted")
        };
        let n = analysis.count() as u32;
        let mut removed = vec![false; n as usize];
        removed[0] = true;
        let Response::Frame { rgba, .. } = ask(&mut e, removed.clone(), Some(n)) else {
            panic!("framed")
        };
        let truth = truth_mask(&Plane::from_u8(320, 240, &s.truth));
        let want = frame(&FrameParts {
            base: &picture,
            width: 320,
            height: 240,
            analysis: Some(&analysis),
            score: score.as_ref(),
            truth: Some(&truth),
            overlay: &Overlay::default(),
            removed: &removed,
        });
        assert!(rgba == want, "the worker's frame is the page's");
        assert!(rgba != picture, "the objects are drawn");
        assert!(matches!(
            ask(&mut e, removed, Some(n + 1)),
            Response::Failed(_)
        ));
    }

    #[test]
    fn synthetic_images_come_with_their_score() {
        let mut e = Engine::new();
        let Response::Image { truth, .. } = through_bytes(
            &mut e,
            Request::Synth {
                id: 1,
                params: synth(11),
            },
        ) else {
            panic!("generated")
        };
        assert!(truth.is_some());
        let Response::Counted { score, .. } = through_bytes(
            &mut e,
            Request::Count {
                id: 1,
                params: Collection::Yellow.preset(),
                scoring: ScoreOptions::default(),
                want_prepared: false,
                model: None,
            },
        ) else {
            panic!("counted")
        };
        let score = score.expect("scored against the true mask");
        assert_eq!(score.true_count, 8);
        assert_eq!(score.tp + score.fn_, 8);
        // Auto-tune's scoring gives the same score as the count's.
        let Response::Scored(Some(tuned)) = through_bytes(
            &mut e,
            Request::Score {
                id: 1,
                params: Collection::Yellow.preset(),
                scoring: ScoreOptions::default(),
            },
        ) else {
            panic!("scored")
        };
        assert_eq!(*tuned, score);
    }

    #[test]
    fn batch_rows_report_counts_scores_and_broken_files() {
        let s = generate(&synth(5));
        let truth_png = truth_png_of(&s.truth);
        let job = BatchJob {
            bytes: png_of(&s.image),
            mask: Some(truth_png),
            params: None,
            scoring: ScoreOptions::default(),
            thumb_width: 80,
            model: None,
        };
        let mut e = Engine::new();
        let Response::Batch(row) = through_bytes(&mut e, Request::Batch(job.clone())) else {
            panic!("a row")
        };
        let direct = analyze(&s.image, &Collection::Yellow.preset());
        assert_eq!(row.count as usize, direct.count());
        assert_eq!(row.collection, Some(Collection::Yellow));
        assert_eq!(row.score.as_ref().map(|s| s.true_count), Some(8));
        assert!(
            row.thumbnail
                .starts_with("data:image/png;base64,iVBORw0KGgo")
        );
        // The objects are drawn over the picture: some pixels are the outline colour.
        assert_ne!(
            labelled_thumbnail(&s.image, &direct.labels, 80),
            labelled_thumbnail(&s.image, &vec![0; direct.labels.len()], 80)
        );
        assert_eq!(e.kept(), 0, "a batch keeps nothing");

        let broken = BatchJob {
            bytes: b"not an image".to_vec(),
            ..job.clone()
        };
        assert!(matches!(
            through_bytes(&mut e, Request::Batch(broken)),
            Response::Failed(r) if r.contains("not")
        ));
        let wrong_mask = BatchJob {
            mask: Some(png_of(
                &generate(&SynthParams {
                    width: 10,
                    height: 10,
                    ..synth(1)
                })
                .image,
            )),
            ..job
        };
        let Response::Batch(row) = through_bytes(&mut e, Request::Batch(wrong_mask)) else {
            panic!("a row")
        };
        assert!(row.score.is_none());
        assert!(
            row.mask_error
                .as_deref()
                .is_some_and(|m| m.contains("10x10"))
        );
    }

    #[test]
    fn batch_jobs_sent_without_their_files_take_what_the_worker_read() {
        let s = generate(&synth(5));
        let truth_png = truth_png_of(&s.truth);
        let bare = BatchJob {
            bytes: Vec::new(),
            mask: None,
            params: None,
            scoring: ScoreOptions::default(),
            thumb_width: 80,
            model: None,
        };
        let full = BatchJob {
            bytes: png_of(&s.image),
            ..bare.clone()
        };
        let mut e = Engine::new();
        let request = Request::Batch(bare).encode();
        let run = |e: &mut Engine, files: Vec<ReadFile>| {
            Response::decode(&handle_bytes_with_files(e, &request, files)).expect("decodes")
        };
        // The same row as a job that carries its bytes (but for the time it took).
        let Response::Batch(read) = run(&mut e, vec![Ok(png_of(&s.image))]) else {
            panic!("a row")
        };
        let Response::Batch(carried) = through_bytes(&mut e, Request::Batch(full)) else {
            panic!("a row")
        };
        assert_eq!(
            (read.count, &read.thumbnail),
            (carried.count, &carried.thumbnail)
        );
        assert_eq!(read.mask_error, None);
        assert_eq!(read.note, None);
        // A multi-page TIFF is counted from its first page, and the row says so.
        let multi = include_bytes!("../../tests/data/bad/tiff-multipage.tif").to_vec();
        let Response::Batch(paged) = run(&mut e, vec![Ok(multi)]) else {
            panic!("a row")
        };
        assert_eq!(
            paged.note.as_deref(),
            Some("a multi-page TIFF of 3 pages: only page 1 is counted")
        );
        // An image that could not be read fails with the reader's reason.
        assert!(matches!(
            run(&mut e, vec![Err("could not be read (NotReadableError)".into())]),
            Response::Failed(r) if r == "could not be read (NotReadableError)"
        ));
        // A mask that could not be read is named in the row; the image is still counted.
        let Response::Batch(row) = run(
            &mut e,
            vec![Ok(png_of(&s.image)), Err("could not be read (gone)".into())],
        ) else {
            panic!("a row")
        };
        assert_eq!(row.count, carried.count);
        assert_eq!(
            row.mask_error.as_deref(),
            Some("mask: could not be read (gone)")
        );
        // A readable mask is scored.
        let Response::Batch(row) = run(&mut e, vec![Ok(png_of(&s.image)), Ok(truth_png)]) else {
            panic!("a row")
        };
        assert_eq!(row.score.map(|s| s.true_count), Some(8));
        assert_eq!(row.mask_error, None);
        // Without files, a request is handled as usual.
        assert!(matches!(run(&mut e, Vec::new()), Response::Failed(_)));
        assert_eq!(
            too_large(600.0 * 1024.0 * 1024.0).as_deref(),
            Some("too large: the file has 600 MiB, the limit is 512 MiB")
        );
        assert_eq!(too_large(512.0 * 1024.0 * 1024.0), None);
    }

    #[test]
    fn garbage_requests_fail_with_a_reason() {
        let mut e = Engine::new();
        for bytes in [
            &b""[..],
            &[0],
            &[9, 1, 2],
            &[4, 1, 0, 0, 0, 0, 0, 0, 0, 200],
        ] {
            let out = Response::decode(&handle_bytes(&mut e, bytes)).expect("reads");
            assert!(matches!(out, Response::Failed(_)));
        }
    }

    #[test]
    fn labels_train_and_counts_with_a_sent_model_as_learn_does() {
        use crate::{
            count::learn::{Candidates, ForestOptions, TrainOptions, candidate_params},
            protocol::learn::{LabelSource, ModelRef, ModelUse, TrainJob},
        };
        let mut e = Engine::new();
        let mut images = Vec::new();
        for id in [1, 2] {
            through_bytes(
                &mut e,
                Request::Synth {
                    id,
                    params: synth(id + 20),
                },
            );
            let Response::Labelled(l) = through_bytes(
                &mut e,
                Request::Label {
                    id,
                    name: format!("s{id}"),
                    candidates: candidate_params(&Collection::Yellow.preset()),
                    collection: Collection::Yellow,
                    source: LabelSource::Mask,
                    scoring: ScoreOptions::default(),
                },
            ) else {
                panic!("labelled")
            };
            assert!(!l.rows.is_empty() && l.cells.iter().any(|&c| c));
            images.push(*l);
        }
        let job = TrainJob {
            name: "synthetic".into(),
            candidates: Candidates::of_presets(),
            images,
            options: TrainOptions {
                forest: ForestOptions {
                    trees: 8,
                    ..ForestOptions::default()
                },
                balance_images: true,
            },
        };
        let mut ticks = 0;
        let Response::Trained(t) = e.handle_with_progress(Request::Train(Box::new(job)), |_, _| {
            ticks += 1;
            true
        }) else {
            panic!("trained")
        };
        assert_eq!(
            ticks, 88,
            "two folds with five seeds and the model, 8 trees each"
        );
        assert_eq!(t.held.len(), 2);
        assert_eq!(t.seeds.len(), crate::protocol::learn::seed_runs(2));
        assert!(matches!(
            through_bytes(
                &mut e,
                Request::SetModel {
                    id: 5,
                    text: "fluocount-model 9\n".into()
                }
            ),
            Response::Failed(r) if r.contains("version")
        ));
        assert!(matches!(
            through_bytes(
                &mut e,
                Request::SetModel {
                    id: 5,
                    text: t.model.clone()
                }
            ),
            Response::Done
        ));
        let model = crate::count::learn::Model::parse(&t.model).expect("a model");
        let count = |e: &mut Engine, m: Option<ModelUse>| match through_bytes(
            e,
            Request::Count {
                id: 1,
                params: Collection::Yellow.preset(),
                scoring: ScoreOptions::default(),
                want_prepared: false,
                model: m,
            },
        ) {
            Response::Counted { analysis, .. } => analysis,
            other => panic!("{other:?}"),
        };
        let with = |c: f32| ModelUse {
            model: ModelRef::Sent(5),
            cutoff: Some(c),
            collection: None,
        };
        let a = count(&mut e, Some(with(0.5)));
        let s = generate(&synth(21));
        let params = model.candidates.for_collection(Collection::Yellow);
        let direct = crate::count::learn::apply(
            &crate::count::pipeline::prepare(&s.image, &params),
            &model,
            Collection::Yellow,
            0.5,
        );
        assert_eq!(a.count(), direct.count());
        assert_eq!(a.scores, direct.scores);
        assert!(!a.scores.is_empty(), "the scores travel with the count");
        assert!(count(&mut e, Some(with(0.0))).count() >= count(&mut e, Some(with(1.0))).count());
        assert!(count(&mut e, None).scores.is_empty());
        assert!(matches!(
            through_bytes(
                &mut e,
                Request::Count {
                    id: 1,
                    params: Collection::Yellow.preset(),
                    scoring: ScoreOptions::default(),
                    want_prepared: false,
                    model: Some(ModelUse {
                        model: ModelRef::Sent(6),
                        cutoff: None,
                        collection: None
                    }),
                },
            ),
            Response::Failed(r) if r.contains("not sent")
        ));
    }

    #[test]
    fn corrections_label_candidates_and_batch_jobs_count_with_a_built_in_model() {
        use crate::{
            count::learn::candidate_params,
            protocol::learn::{LabelSource, ModelRef, ModelUse},
        };
        let mut e = Engine::new();
        let s = generate(&synth(40));
        e.keep(1, s.image.clone(), None, Some(Collection::Yellow));
        let Response::Counted { analysis, .. } = through_bytes(
            &mut e,
            Request::Count {
                id: 1,
                params: Collection::Yellow.preset(),
                scoring: ScoreOptions::default(),
                want_prepared: false,
                model: None,
            },
        ) else {
            panic!("counted")
        };
        let n = analysis.count();
        assert!(n >= 2);
        let mut removed = vec![false; n];
        removed[0] = true;
        let label = |e: &mut Engine, objects: u32, removed: Vec<bool>| {
            through_bytes(
                e,
                Request::Label {
                    id: 1,
                    name: "c".into(),
                    candidates: candidate_params(&Collection::Yellow.preset()),
                    collection: Collection::Yellow,
                    source: LabelSource::Corrections {
                        objects,
                        removed,
                        added: 2,
                    },
                    scoring: ScoreOptions::default(),
                },
            )
        };
        let Response::Labelled(l) = label(&mut e, n as u32, removed.clone()) else {
            panic!("labelled")
        };
        let cells = l.cells.iter().filter(|&&c| c).count() as u32;
        assert_eq!(
            l.true_count,
            cells + 2,
            "the kept candidates and the added cells"
        );
        assert!(cells < n as u32 + 1 && l.truth.is_empty());
        assert!(matches!(
            label(&mut e, n as u32 + 1, removed),
            Response::Failed(r) if r.contains("latest")
        ));
        assert!(matches!(
            through_bytes(
                &mut e,
                Request::Label {
                    id: 1,
                    name: "c".into(),
                    candidates: Collection::Yellow.preset(),
                    collection: Collection::Yellow,
                    source: LabelSource::Mask,
                    scoring: ScoreOptions::default(),
                },
            ),
            Response::Failed(r) if r.contains("no mask")
        ));
        let job = |model: Option<ModelUse>| BatchJob {
            bytes: png_of(&s.image),
            mask: None,
            params: None,
            scoring: ScoreOptions::default(),
            thumb_width: 40,
            model,
        };
        let Response::Batch(row) = through_bytes(
            &mut e,
            Request::Batch(job(Some(ModelUse {
                model: ModelRef::Builtin("yellow".into()),
                cutoff: Some(0.5),
                collection: None,
            }))),
        ) else {
            panic!("a batch row")
        };
        assert!(
            row.params.ends_with("; model built-in yellow, cut-off 0.5"),
            "{}",
            row.params
        );
        let model = crate::count::learn::builtin::get("yellow").expect("built in");
        let params = model.candidates.for_collection(Collection::Yellow);
        let direct = crate::count::learn::apply(
            &crate::count::pipeline::prepare(&s.image, &params),
            &model,
            Collection::Yellow,
            0.5,
        );
        assert_eq!(row.count as usize, direct.count());
        assert!(matches!(
            through_bytes(
                &mut e,
                Request::Batch(job(Some(ModelUse {
                    model: ModelRef::Builtin("mine".into()),
                    cutoff: None,
                    collection: None,
                })))
            ),
            Response::Failed(r) if r.contains("no built-in model")
        ));
    }
}
