//! Batch runs over many files: which files are images and which are their masks, the progress and
//! time left, the summary (counts, totals, pooled ground-truth figures) and the CSV of it all. The
//! work itself is [`run_batch`], one file at a time in a worker.

use crate::{
    count::{
        export::header,
        learn::apply,
        pairing::{Role, file_name, pair},
        params::Params,
        pipeline::{analyze_prepared, prepare},
        presets::{Collection, detect_collection},
        scoring::{ImageScore, Pooled, ScoreOptions, check_size, mask_of, score},
        table::{self, Column, Table, Value, level_text},
    },
    imaging::decode::{DecodeLimits, decode, notes},
    protocol::learn::{ModelFor, ModelUse},
    util::clock::now_ms,
    view::render::{labelled_thumbnail, png_data_url},
};
use std::fmt::Write as _;

/// One file of a batch.
#[derive(Clone, Debug)]
pub struct BatchJob {
    /// The image file's bytes.
    pub bytes: Vec<u8>,
    /// Its ground-truth mask file's bytes, if paired.
    pub mask: Option<Vec<u8>>,
    /// The parameters; `None` uses the preset of the collection detected from the image's colour.
    pub params: Option<Params>,
    /// The scoring protocol's settings.
    pub scoring: ScoreOptions,
    /// Width of the thumbnail, in pixels.
    pub thumb_width: u32,
    /// Count with this classifier instead of the parameters' filters.
    pub model: Option<ModelUse>,
}

/// The result of one file of a batch.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchRow {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// What the image is, e.g. `1600x1200 RGB 8-bit`.
    pub description: String,
    /// The collection detected from its colour.
    pub collection: Option<Collection>,
    /// The parameters it was counted with (their text form).
    pub params: String,
    /// Number of objects.
    pub count: u32,
    /// The global threshold level used, if any.
    pub level: Option<u16>,
    /// Decode and analysis time in the worker, in milliseconds.
    pub ms: f64,
    /// The score against the mask.
    pub score: Option<ImageScore>,
    /// Why the mask could not be used, if it could not.
    pub mask_error: Option<String>,
    /// What the file holds beyond what was counted (a multi-page TIFF's later pages).
    pub note: Option<String>,
    /// A PNG thumbnail with the objects drawn over it, as a `data:` URL for an `<img>`.
    /// JUSTIFICATION: e2e/batch-bench.mjs "main thread busy": blob URLs cost the page 2 s of a
    /// 10.5 s run of 283 images, one canvas per row 2.8 s (a compositor layer each).
    pub thumbnail: String,
}

/// Decodes, counts and scores one batch file; `model` resolves the job's model (if it names one)
/// for the collection detected from the image's colour.
pub fn run_batch(
    job: &BatchJob,
    limits: &DecodeLimits,
    model: ModelFor<'_>,
) -> Result<BatchRow, String> {
    let t0 = now_ms();
    let image = decode(&job.bytes, limits).map_err(|e| e.to_string())?;
    let collection = detect_collection(&image);
    let (analysis, params_text) = match model(collection)? {
        Some(m) => {
            let params = m.params();
            let prepared = prepare(&image, &params);
            let analysis = apply(&prepared, &m.model, m.collection, m.cutoff);
            (analysis, format!("{}; {}", params.to_query(), m.describe()))
        }
        None => {
            let params = job
                .params
                .clone()
                .unwrap_or_else(|| collection.unwrap_or_default().preset());
            let prepared = prepare(&image, &params);
            (analyze_prepared(&prepared, &params), params.to_query())
        }
    };
    let (mut score_out, mut mask_error) = (None, None);
    if let Some(bytes) = &job.mask {
        match decode(bytes, limits) {
            Err(e) => mask_error = Some(format!("mask: {e}")),
            Ok(m) => match check_size((image.width(), image.height()), (m.width(), m.height()))
                .and_then(|()| score(&analysis.components, &mask_of(&m), job.scoring))
            {
                Ok(s) => score_out = Some(s),
                Err(e) => mask_error = Some(e.explain(None)),
            },
        }
    }
    let thumbnail = labelled_thumbnail(&image, &analysis.labels, job.thumb_width)
        .map(|png| png_data_url(&png))
        .ok_or_else(|| "the thumbnail could not be made".to_string())?;
    Ok(BatchRow {
        width: image.width(),
        height: image.height(),
        description: image.describe(),
        collection,
        params: params_text,
        count: analysis.count() as u32,
        level: analysis.level,
        ms: now_ms() - t0,
        score: score_out,
        mask_error,
        note: Some(notes(&job.bytes).join("; ")).filter(|n| !n.is_empty()),
        thumbnail,
    })
}

/// A file as the worker that runs a job read it: its bytes, or why they could not be read.
pub type ReadFile = Result<Vec<u8>, String>;

/// The largest file a batch (or the viewer) reads: 512 MiB.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Why a file of `size` bytes is not read, or `None` when it is within [`MAX_FILE_BYTES`].
pub fn too_large(size: f64) -> Option<String> {
    (size > MAX_FILE_BYTES as f64).then(|| {
        format!(
            "too large: the file has {:.0} MiB, the limit is {} MiB",
            size / 1024.0 / 1024.0,
            MAX_FILE_BYTES / 1024 / 1024
        )
    })
}

/// Runs a job that was sent without its files (so that the page never holds them): `image` and
/// `mask` are what the worker read. An image that could not be read fails the job; a mask that
/// could not be read is named in the row (`mask: …`) and the image is still counted.
pub fn run_batch_read(
    mut job: BatchJob,
    image: ReadFile,
    mask: Option<ReadFile>,
    limits: &DecodeLimits,
    model: ModelFor<'_>,
) -> Result<BatchRow, String> {
    job.bytes = image?;
    let mut mask_read_error = None;
    job.mask = match mask {
        Some(Ok(bytes)) => Some(bytes),
        Some(Err(e)) => {
            mask_read_error = Some(format!("mask: {e}"));
            None
        }
        None => None,
    };
    let mut row = run_batch(&job, limits, model)?;
    if row.mask_error.is_none() {
        row.mask_error = mask_read_error;
    }
    Ok(row)
}

/// One image of a batch: its file and, when paired, its mask file (indices into the input list).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedImage {
    /// Index of the image file.
    pub image: usize,
    /// Index of its mask file.
    pub mask: Option<usize>,
}

/// What a batch will do with its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The images, in input order, with their masks.
    pub images: Vec<PlannedImage>,
    /// Masks without an image (listed, not counted).
    pub unpaired_masks: Vec<usize>,
    /// Files skipped because they are not images by name (e.g. `.txt`, `.DS_Store`), with the
    /// reason.
    pub skipped: Vec<usize>,
}

/// Extensions a batch reads; any other file of a dropped folder is skipped.
pub const IMAGE_EXTENSIONS: [&str; 5] = ["png", "jpg", "jpeg", "tif", "tiff"];

/// Whether a path names a file a batch reads (by extension, case-insensitive).
pub fn is_image_name(path: &str) -> bool {
    let name = file_name(path);
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && IMAGE_EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e))
    })
}

/// Pairs images and masks by folder and name as the ground-truth loader does
/// ([`pair`](crate::count::pairing::pair)); files whose names are not images are skipped, so a dropped
/// folder's stray files do not become error rows. A file named as an image but unreadable still
/// becomes a row with its error.
pub fn plan<S: AsRef<str>>(paths: &[S]) -> Plan {
    let (kept, skipped): (Vec<usize>, Vec<usize>) =
        (0..paths.len()).partition(|&k| is_image_name(paths[k].as_ref()));
    let names: Vec<&str> = kept.iter().map(|&k| paths[k].as_ref()).collect();
    let p = pair(&names);
    let images = (0..kept.len())
        .filter(|&i| p.roles[i] == Role::Image)
        .map(|i| PlannedImage {
            image: kept[i],
            mask: p.mask_of[i].map(|m| kept[m]),
        })
        .collect();
    Plan {
        images,
        unpaired_masks: p.unpaired_masks.iter().map(|&m| kept[m]).collect(),
        skipped,
    }
}

/// Progress of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Images finished (counted or failed).
    pub done: usize,
    /// Images in the run.
    pub total: usize,
    /// Milliseconds since the start.
    pub elapsed_ms: f64,
}

impl Progress {
    /// Fraction done, 0..=1 (1 for an empty run).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.done.min(self.total) as f64 / self.total as f64
        }
    }

    /// Estimated milliseconds left at the pace so far; `None` before the first image is done.
    pub fn remaining_ms(&self) -> Option<f64> {
        (self.done > 0).then(|| {
            let left = self.total.saturating_sub(self.done) as f64;
            self.elapsed_ms / self.done as f64 * left
        })
    }

    /// Images per second so far.
    pub fn rate(&self) -> f64 {
        if self.elapsed_ms > 0.0 {
            self.done as f64 * 1000.0 / self.elapsed_ms
        } else {
            0.0
        }
    }
}

/// `m:ss` (or `h:mm:ss`) for a duration in milliseconds.
pub fn clock(ms: f64) -> String {
    let s = if ms.is_finite() && ms > 0.0 {
        (ms / 1000.0).round() as u64
    } else {
        0
    };
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// One finished image of a batch.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The image's path, as dropped or picked.
    pub name: String,
    /// Its mask's path, if paired.
    pub mask: Option<String>,
    /// The result, or why the file could not be counted.
    pub result: Result<BatchRow, String>,
}

/// Totals of a batch.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Images counted.
    pub counted: usize,
    /// Images that failed.
    pub failed: usize,
    /// Objects over all counted images.
    pub total_count: u64,
    /// Mean count per counted image.
    pub mean_count: f64,
    /// Pooled ground-truth figures over the images with a usable mask.
    pub pooled: Option<Pooled>,
    /// The median time of a counted image in its worker (decode, count, score, thumbnail), in
    /// ms (the lower median of an even number); 0 with none.
    pub median_ms: f64,
}

/// The totals of `records`.
pub fn summarize(records: &[Record]) -> Summary {
    let rows: Vec<&BatchRow> = records
        .iter()
        .filter_map(|r| r.result.as_ref().ok())
        .collect();
    let total_count: u64 = rows.iter().map(|r| u64::from(r.count)).sum();
    let scores: Vec<ImageScore> = rows.iter().filter_map(|r| r.score.clone()).collect();
    Summary {
        counted: rows.len(),
        failed: records.len() - rows.len(),
        total_count,
        mean_count: if rows.is_empty() {
            0.0
        } else {
            total_count as f64 / rows.len() as f64
        },
        pooled: (!scores.is_empty()).then(|| Pooled::new(&scores)),
        median_ms: {
            let mut ms: Vec<f64> = rows.iter().map(|r| r.ms).collect();
            ms.sort_by(f64::total_cmp);
            ms.get(ms.len().saturating_sub(1) / 2)
                .copied()
                .unwrap_or(0.0)
        },
    }
}

/// The batch row of `r`, if it was counted.
fn counted(r: &Record) -> Option<&BatchRow> {
    r.result.as_ref().ok()
}

/// The score of `r` against its mask, if it was counted and scored.
fn scored(r: &Record) -> Option<&ImageScore> {
    counted(r).and_then(|row| row.score.as_ref())
}

/// A number of a counted image, empty for a failed one.
fn of_counted(r: &Record, f: fn(&BatchRow) -> f64) -> Value {
    counted(r).map_or(Value::Empty, |row| Value::Number(f(row)))
}

/// A figure of a scored image, empty for one without a usable mask.
fn of_score(r: &Record, f: fn(&ImageScore) -> f64) -> Value {
    scored(r).map_or(Value::Empty, |s| Value::Number(f(s)))
}

/// A batch row is in pixels: the batch does not read calibrations.
impl table::Calibrated for Record {}

/// The columns of [`batch_csv`]: one row per image, failed ones with only their names and reason.
pub const BATCH: &Table<Record> = &[&[
    Column::new(
        "Image",
        "",
        0,
        "The image's path, as dropped or picked",
        |r| Value::Text(r.name.clone()),
    ),
    Column::new(
        "Mask",
        "",
        0,
        "Its ground-truth mask's path, if paired",
        |r| Value::Text(r.mask.clone().unwrap_or_default()),
    ),
    Column::new(
        "Status",
        "",
        0,
        "ok, or error when it could not be counted",
        |r| Value::Text(if counted(r).is_some() { "ok" } else { "error" }.into()),
    ),
    Column::new("Width", "px", 0, "Image width", |r| {
        of_counted(r, |row| f64::from(row.width))
    }),
    Column::new("Height", "px", 0, "Image height", |r| {
        of_counted(r, |row| f64::from(row.height))
    }),
    Column::new(
        "Collection",
        "",
        0,
        "The collection detected from the image's colour (empty for grey)",
        |r| {
            counted(r)
                .and_then(|row| row.collection)
                .map_or(Value::Empty, |c| Value::Text(c.name().into()))
        },
    ),
    Column::new("Count", "", 0, "Objects counted", |r| {
        of_counted(r, |row| f64::from(row.count))
    }),
    Column::new(
        "Level",
        "grey level",
        0,
        "The global threshold level, local for a local threshold",
        |r| counted(r).map_or(Value::Empty, |row| Value::Text(level_text(row.level))),
    ),
    Column::new("True count", "", 0, "Cells in the mask", |r| {
        of_score(r, |s| f64::from(s.true_count))
    }),
    Column::new(
        "TP",
        "",
        0,
        "Counted objects matched to a cell of the mask",
        |r| of_score(r, |s| f64::from(s.tp)),
    ),
    Column::new("FP", "", 0, "Counted objects matched to no cell", |r| {
        of_score(r, |s| f64::from(s.fp))
    }),
    Column::new("FN", "", 0, "Cells of the mask matched to no object", |r| {
        of_score(r, |s| f64::from(s.fn_))
    }),
    Column::new("Precision", "", 4, "TP / (TP + FP)", |r| {
        of_score(r, ImageScore::precision)
    }),
    Column::new("Recall", "", 4, "TP / (TP + FN)", |r| {
        of_score(r, ImageScore::recall)
    }),
    Column::new("F1", "", 4, "2 TP / (2 TP + FP + FN)", |r| {
        of_score(r, ImageScore::f1)
    }),
    Column::new("Count error", "", 0, "Count minus true count", |r| {
        of_score(r, |s| {
            (i64::from(s.pred_count) - i64::from(s.true_count)) as f64
        })
    }),
    Column::new(
        "ms",
        "ms",
        1,
        "Time in the worker: decode, count, score and thumbnail",
        |r| of_counted(r, |row| row.ms),
    ),
    Column::new(
        "Parameters",
        "",
        0,
        "The parameters it was counted with",
        |r| counted(r).map_or(Value::Empty, |row| Value::Text(row.params.clone())),
    ),
    Column::new(
        "Error",
        "",
        0,
        "Why it could not be counted, or why its mask could not be used",
        |r| {
            Value::Text(match &r.result {
                Ok(row) => row.mask_error.clone().unwrap_or_default(),
                Err(reason) => reason.clone(),
            })
        },
    ),
    Column::new(
        "Note",
        "",
        0,
        "What the file holds beyond what was counted (a multi-page TIFF's later pages)",
        |r| {
            Value::Text(match &r.result {
                Ok(row) => row.note.clone().unwrap_or_default(),
                Err(_) => String::new(),
            })
        },
    ),
]];

/// The whole batch as CSV: the `# fluocount VERSION` and parameter header, one row per image
/// under [`BATCH`] (failed ones with their reason), then `# ` lines with the totals and pooled
/// figures. `params_text` is the run's parameter text, or a description such as
/// `preset per collection (auto)`; each row also carries the parameters it was counted with.
pub fn batch_csv(version: &str, params_text: &str, records: &[Record]) -> String {
    let mut out = header(version, params_text);
    out.push_str(&table::csv(BATCH, records));
    let s = summarize(records);
    let _ = writeln!(
        out,
        "# images: {} counted, {} failed; objects: {} in all, {:.2} per image",
        s.counted, s.failed, s.total_count, s.mean_count
    );
    if let Some(p) = &s.pooled {
        let _ = writeln!(
            out,
            "# pooled over {} images with masks: TP {}, FP {}, FN {}, precision {:.4}, recall {:.4}, F1 {:.4}, MAE {:.3}, MedAE {:.3}{}",
            p.n_images,
            p.tp,
            p.fp,
            p.fn_,
            p.precision(),
            p.recall(),
            p.f1(),
            p.mae,
            p.medae,
            p.mpe
                .map_or_else(String::new, |m| format!(", MPE {:.4}", m))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(count: u32, score: Option<(u32, u32)>) -> BatchRow {
        BatchRow {
            width: 10,
            height: 8,
            description: "10x8 RGB 8-bit".into(),
            collection: Some(Collection::Yellow),
            params: "v=2&min_area=1".into(),
            count,
            level: Some(40),
            ms: 12.345,
            score: score.map(|(truth, tp)| ImageScore {
                true_count: truth,
                pred_count: count,
                tp,
                fp: count - tp,
                fn_: truth - tp,
                matches: vec![],
                missed: vec![],
                truth_objects: vec![],
                pred_objects: vec![],
                pred_area: 0,
                truth_area: 0,
                overlap: 0,
            }),
            mask_error: None,
            note: None,
            thumbnail: String::new(),
        }
    }

    #[test]
    fn plan_pairs_a_dataset_folder_and_skips_stray_files() {
        let paths = [
            "data/images/a.png",
            "data/images/b.png",
            "data/masks/a.png",
            "data/masks/z.png",
            "data/README.txt",
            "data/.DS_Store",
            "data/images/c.TIF",
        ];
        let p = plan(&paths);
        assert_eq!(
            p.images,
            vec![
                PlannedImage {
                    image: 0,
                    mask: Some(2)
                },
                PlannedImage {
                    image: 1,
                    mask: None
                },
                PlannedImage {
                    image: 6,
                    mask: None
                },
            ]
        );
        assert_eq!(p.unpaired_masks, vec![3]);
        assert_eq!(p.skipped, vec![4, 5]);
        assert!(is_image_name("x.JPEG") && !is_image_name(".png") && !is_image_name("png"));
    }

    #[test]
    fn progress_and_time_left() {
        let p = Progress {
            done: 0,
            total: 4,
            elapsed_ms: 100.0,
        };
        assert_eq!(p.remaining_ms(), None);
        let p = Progress {
            done: 1,
            total: 4,
            elapsed_ms: 500.0,
        };
        assert_eq!(p.remaining_ms(), Some(1500.0));
        assert_eq!(p.fraction(), 0.25);
        assert_eq!(p.rate(), 2.0);
        assert_eq!(
            Progress {
                done: 0,
                total: 0,
                elapsed_ms: 0.0
            }
            .fraction(),
            1.0
        );
        assert_eq!(clock(61_400.0), "1:01");
        assert_eq!(clock(3_723_000.0), "1:02:03");
        assert_eq!(clock(f64::NAN), "0:00");
    }

    #[test]
    fn summary_pools_the_images_with_masks_and_counts_failures() {
        let records = vec![
            Record {
                name: "a.png".into(),
                mask: Some("masks/a.png".into()),
                result: Ok(row(5, Some((4, 4)))),
            },
            Record {
                name: "b.png".into(),
                mask: None,
                result: Ok(row(3, None)),
            },
            Record {
                name: "bad, \"quoted\".png".into(),
                mask: None,
                result: Err("not an image".into()),
            },
            Record {
                name: "c.png".into(),
                mask: Some("masks/c.png".into()),
                result: Ok(row(2, Some((3, 2)))),
            },
        ];
        let s = summarize(&records);
        assert_eq!((s.counted, s.failed, s.total_count), (3, 1, 10));
        let p = s.pooled.expect("two masks");
        assert_eq!((p.n_images, p.tp, p.fp, p.fn_), (2, 6, 1, 1));
        let csv = batch_csv("0.4.0", "v=2&min_area=1", &records);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "# fluocount 0.4.0");
        assert_eq!(lines[1], "# parameters: v=2&min_area=1");
        assert_eq!(
            lines[2],
            "Image,Mask,Status,Width,Height,Collection,Count,Level,True count,TP,FP,FN,\
             Precision,Recall,F1,Count error,ms,Parameters,Error,Note"
        );
        assert_eq!(
            lines[3],
            "a.png,masks/a.png,ok,10,8,yellow,5,40,4,4,1,0,0.8000,1.0000,0.8889,1,12.3,v=2&min_area=1,,"
        );
        assert_eq!(
            lines[4],
            "b.png,,ok,10,8,yellow,3,40,,,,,,,,,12.3,v=2&min_area=1,,"
        );
        assert_eq!(
            lines[5],
            "\"bad, \"\"quoted\"\".png\",,error,,,,,,,,,,,,,,,,not an image,"
        );
        // Every data row has as many fields as the column line (no field holds a comma here
        // except the quoted name).
        let columns = table::columns(BATCH).count();
        for l in [lines[3], lines[4], lines[6]] {
            assert_eq!(l.split(',').count(), columns, "{l}");
        }
        assert!(lines[7].starts_with("# images: 3 counted, 1 failed; objects: 10 in all"));
        assert!(lines[8].starts_with("# pooled over 2 images with masks: TP 6, FP 1, FN 1"));
    }

    #[test]
    fn summary_median_time_is_the_lower_median_of_counted_images() {
        let timed = |ms: f64| Record {
            name: "a.png".into(),
            mask: None,
            result: Ok(BatchRow { ms, ..row(1, None) }),
        };
        let failed = Record {
            name: "bad.png".into(),
            mask: None,
            result: Err("not an image".into()),
        };
        assert_eq!(summarize(&[]).median_ms, 0.0);
        assert_eq!(summarize(std::slice::from_ref(&failed)).median_ms, 0.0);
        let three = [timed(50.0), failed.clone(), timed(7.0), timed(61.5)];
        assert_eq!(summarize(&three).median_ms, 50.0);
        let four = [timed(50.0), timed(7.0), timed(61.5), timed(49.0)];
        assert_eq!(summarize(&four).median_ms, 49.0);
    }
}
