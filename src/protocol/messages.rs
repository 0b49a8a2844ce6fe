//! The messages between the page and its Web Workers: a [`Request`] for a worker to do, the
//! [`Response`] it sends back, and their byte form ([`Request::encode`], [`Response::decode`]),
//! written with the primitives of [`crate::protocol::wire`]. Reading bytes never panics: anything
//! malformed is a [`WireError`].

use crate::{
    count::{
        params::Params,
        pipeline::{Analysis, Prepared},
        presets::Collection,
        scoring::{ImageScore, ScoreOptions},
        synth::SynthParams,
    },
    imaging::{bitmask::BitMask, image::Image},
    protocol::{
        batch::{BatchJob, BatchRow},
        wire::{
            Reader, WireError, WireResult, Writer, get_analysis, get_image, get_mask, get_prepared,
            get_score, get_score_options, put_analysis, put_image, put_mask, put_prepared,
            put_score, put_score_options,
        },
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
}

/// What a worker sends back.
#[derive(Clone, Debug)]
pub enum Response {
    /// A decoded (or generated) image, with its true mask for a synthetic one.
    Image {
        /// The image.
        image: Image,
        /// Its true mask.
        truth: Option<BitMask>,
    },
    /// A decoded ground-truth mask.
    Mask(BitMask),
    /// A count.
    Counted {
        /// The analysis.
        analysis: Box<Analysis>,
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
            } => {
                w.u8(4);
                w.u64(*id);
                put_params(&mut w, params);
                put_score_options(&mut w, scoring);
                w.bool(*want_prepared);
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
            },
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
            }),
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
            Response::Image { image, truth } => {
                w.u8(1);
                put_image(&mut w, image);
                w.opt(truth.as_ref(), put_mask);
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
                w.str(&row.thumbnail);
            }
            Response::Done => w.u8(5),
            Response::Scored(score) => {
                w.u8(7);
                w.opt(score.as_deref(), put_score);
            }
            Response::Failed(reason) => {
                w.u8(6);
                w.str(reason);
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
            },
            2 => Response::Mask(get_mask(&mut r)?),
            3 => Response::Counted {
                analysis: Box::new(get_analysis(&mut r)?),
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
                thumbnail: r.str()?,
            })),
            5 => Response::Done,
            7 => Response::Scored(r.opt(get_score)?.map(Box::new)),
            6 => Response::Failed(r.str()?),
            t => return Err(WireError(format!("response type {t}"))),
        };
        r.end()?;
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            },
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
            }),
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
            Response::Failed("no such image".into()),
        ]
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
