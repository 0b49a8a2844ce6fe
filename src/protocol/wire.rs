//! A compact binary form of the core's data (images, masks, planes, analyses, scores), so that
//! work can move between the page and its Web Workers as one transferable byte buffer.
//!
//! Little-endian, length-prefixed, no padding. Reading never panics: every length is checked
//! against what is left and against the dimensions before anything is allocated or built.

use crate::{
    count::{
        body::Background,
        pipeline::{Analysis, Body, LocalCache, Prepared, Reject, Stage, StageTiming},
        scoring::{CentreRule, ImageScore, ObjectBox, ScoreOptions},
    },
    imaging::{
        bitmask::BitMask,
        channel::Plane,
        diameter::DiameterEstimate,
        image::{BitDepth, Image, Layout, Pixels},
        label::{Components, ObjectStats, Run},
        shape::Shape,
    },
};
use std::fmt;

/// What was wrong with a buffer that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError(pub String);

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed message: {}", self.0)
    }
}

impl std::error::Error for WireError {}

/// Result of reading.
pub type WireResult<T> = Result<T, WireError>;

fn bad<T>(what: impl Into<String>) -> WireResult<T> {
    Err(WireError(what.into()))
}

/// Appends values to a byte buffer.
#[derive(Default, Debug)]
pub struct Writer(pub Vec<u8>);

impl Writer {
    /// An empty buffer.
    pub fn new() -> Self {
        Writer(Vec::new())
    }
    /// The bytes written.
    pub fn finish(self) -> Vec<u8> {
        self.0
    }
    /// One byte.
    pub fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    /// A bool as one byte.
    pub fn bool(&mut self, v: bool) {
        self.0.push(u8::from(v));
    }
    /// A u16.
    pub fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// A u32.
    pub fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// A u64.
    pub fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// An f32.
    pub fn f32(&mut self, v: f32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// An f64.
    pub fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// A length (u32; the core's buffers stay far below 4 Gi entries).
    pub fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    /// Bytes with their length.
    pub fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }
    /// A string with its length.
    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    /// u16 values with their count.
    pub fn u16s(&mut self, v: &[u16]) {
        self.len(v.len());
        self.0.reserve(v.len() * 2);
        for &x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }
    /// An optional value: a presence byte, then the value.
    pub fn opt<T>(&mut self, v: Option<&T>, mut put: impl FnMut(&mut Self, &T)) {
        self.bool(v.is_some());
        if let Some(v) = v {
            put(self, v);
        }
    }
}

/// Reads values from a byte buffer, checking every length.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Reads from the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    /// Fails unless everything was read.
    pub fn end(&self) -> WireResult<()> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            bad(format!("{} bytes left over", self.remaining()))
        }
    }
    fn take(&mut self, n: usize) -> WireResult<&'a [u8]> {
        if n > self.remaining() {
            return bad(format!("needs {n} more bytes, {} left", self.remaining()));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> WireResult<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    /// One byte.
    pub fn u8(&mut self) -> WireResult<u8> {
        Ok(self.take(1)?[0])
    }
    /// A bool (0 or 1).
    pub fn bool(&mut self) -> WireResult<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            b => bad(format!("bool byte {b}")),
        }
    }
    /// A u16.
    pub fn u16(&mut self) -> WireResult<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    /// A u32.
    pub fn u32(&mut self) -> WireResult<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    /// A u64.
    pub fn u64(&mut self) -> WireResult<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    /// An f32.
    pub fn f32(&mut self) -> WireResult<f32> {
        Ok(f32::from_le_bytes(self.array()?))
    }
    /// An f64.
    pub fn f64(&mut self) -> WireResult<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }
    /// A length of items of at least `item_bytes` bytes each, checked against what is left.
    pub fn len(&mut self, item_bytes: usize) -> WireResult<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(item_bytes.max(1)) > self.remaining() {
            return bad(format!("a length of {n} runs past the end"));
        }
        Ok(n)
    }
    /// Bytes with their length.
    pub fn bytes(&mut self) -> WireResult<&'a [u8]> {
        let n = self.len(1)?;
        self.take(n)
    }
    /// A UTF-8 string with its length.
    pub fn str(&mut self) -> WireResult<String> {
        let b = self.bytes()?;
        String::from_utf8(b.to_vec()).or_else(|_| bad("text is not UTF-8"))
    }
    /// u16 values with their count.
    pub fn u16s(&mut self) -> WireResult<Vec<u16>> {
        let n = self.len(2)?;
        let b = self.take(n * 2)?;
        Ok(b.chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect())
    }
    /// An optional value.
    pub fn opt<T>(
        &mut self,
        mut get: impl FnMut(&mut Self) -> WireResult<T>,
    ) -> WireResult<Option<T>> {
        if self.bool()? {
            Ok(Some(get(self)?))
        } else {
            Ok(None)
        }
    }
    /// A counted list of items of at least `item_bytes` bytes each.
    pub fn list<T>(
        &mut self,
        item_bytes: usize,
        mut get: impl FnMut(&mut Self) -> WireResult<T>,
    ) -> WireResult<Vec<T>> {
        let n = self.len(item_bytes)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(get(self)?);
        }
        Ok(v)
    }
}

/// The largest side of anything image-sized a message may carry (as the decoder's limit).
pub const MAX_SIDE: u32 = 65_535;
/// The most pixels of anything image-sized a message may carry (as the decoder's limit): so a
/// reader allocates at most a few hundred megabytes for a message of a few bytes, on wasm32 too.
pub const MAX_PIXELS: u64 = 100_000_000;

/// The pixel count of a `width` x `height` image, checked against [`MAX_SIDE`] and
/// [`MAX_PIXELS`] before anything of that size is allocated or looped over.
fn pixel_count(width: u32, height: u32) -> WireResult<usize> {
    let n = u64::from(width) * u64::from(height);
    if width > MAX_SIDE || height > MAX_SIDE || n > MAX_PIXELS {
        return bad(format!(
            "{width}x{height} is larger than a message may carry ({MAX_SIDE} a side, {MAX_PIXELS} pixels)"
        ));
    }
    usize::try_from(n).or_else(|_| bad("image too large"))
}

fn depth_code(d: BitDepth) -> u8 {
    match d {
        BitDepth::Eight => 8,
        BitDepth::Sixteen => 16,
    }
}

fn read_depth(r: &mut Reader) -> WireResult<BitDepth> {
    match r.u8()? {
        8 => Ok(BitDepth::Eight),
        16 => Ok(BitDepth::Sixteen),
        d => bad(format!("bit depth {d}")),
    }
}

/// Writes an image.
pub fn put_image(w: &mut Writer, image: &Image) {
    w.u32(image.width());
    w.u32(image.height());
    w.u8(match image.layout() {
        Layout::Gray => 1,
        Layout::GrayAlpha => 2,
        Layout::Rgb => 3,
        Layout::Rgba => 4,
    });
    match image.pixels() {
        Pixels::U8(v) => {
            w.u8(8);
            w.bytes(v);
        }
        Pixels::U16(v) => {
            w.u8(16);
            w.u16s(v);
        }
    }
}

/// Reads an image.
pub fn get_image(r: &mut Reader) -> WireResult<Image> {
    let (width, height) = (r.u32()?, r.u32()?);
    pixel_count(width, height)?;
    let layout = match r.u8()? {
        1 => Layout::Gray,
        2 => Layout::GrayAlpha,
        3 => Layout::Rgb,
        4 => Layout::Rgba,
        l => return bad(format!("layout {l}")),
    };
    let expected = pixel_count(width, height)?.saturating_mul(layout.channels());
    let pixels = match r.u8()? {
        8 => Pixels::U8(r.bytes()?.to_vec()),
        16 => Pixels::U16(r.u16s()?),
        d => return bad(format!("bit depth {d}")),
    };
    let len = match &pixels {
        Pixels::U8(v) => v.len(),
        Pixels::U16(v) => v.len(),
    };
    if len != expected {
        return bad(format!("{len} samples for a {width}x{height} image"));
    }
    Ok(Image::new(width, height, layout, pixels))
}

/// Writes a mask.
pub fn put_mask(w: &mut Writer, m: &BitMask) {
    w.u32(m.width());
    w.u32(m.height());
    for y in 0..m.height() {
        for &word in m.row(y) {
            w.u64(word);
        }
    }
}

/// Reads a mask.
pub fn get_mask(r: &mut Reader) -> WireResult<BitMask> {
    let (width, height) = (r.u32()?, r.u32()?);
    pixel_count(width, height)?;
    let stride = (width as usize).div_ceil(64);
    if stride.saturating_mul(height as usize).saturating_mul(8) > r.remaining() {
        return bad("mask runs past the end");
    }
    let mut m = BitMask::new(width, height);
    let tail = m.tail_mask();
    for y in 0..height {
        let row = m.row_mut(y);
        for word in row.iter_mut() {
            *word = r.u64()?;
        }
        if let Some(last) = row.last_mut() {
            *last &= tail;
        }
    }
    Ok(m)
}

/// Writes a plane.
pub fn put_plane(w: &mut Writer, p: &Plane) {
    w.u32(p.width);
    w.u32(p.height);
    w.u8(depth_code(p.depth));
    w.u16s(&p.data);
}

/// Reads a plane.
pub fn get_plane(r: &mut Reader) -> WireResult<Plane> {
    let (width, height) = (r.u32()?, r.u32()?);
    pixel_count(width, height)?;
    let depth = read_depth(r)?;
    let data = r.u16s()?;
    if data.len() != pixel_count(width, height)? {
        return bad("plane size mismatch");
    }
    if depth == BitDepth::Eight && data.iter().any(|&v| v > 255) {
        return bad("8-bit plane with a value over 255");
    }
    Ok(Plane::new(width, height, depth, data))
}

/// Every stage, in the order of their codes.
const STAGES: [Stage; 13] = [
    Stage::Channel,
    Stage::Background,
    Stage::Smooth,
    Stage::Level,
    Stage::Threshold,
    Stage::Open,
    Stage::Close,
    Stage::FillHoles,
    Stage::Split,
    Stage::Label,
    Stage::Filter,
    Stage::LabelImage,
    Stage::Diameter,
];

const REJECTS: [Reject; 12] = [
    Reject::Small,
    Reject::Large,
    Reject::Circularity,
    Reject::Mean,
    Reject::Contrast,
    Reject::Edge,
    Reject::Thin,
    Reject::Elongated,
    Reject::NotBlob,
    Reject::Dim,
    Reject::LowRing,
    Reject::Classifier,
];

fn put_timings(w: &mut Writer, t: &[StageTiming]) {
    w.len(t.len());
    for s in t {
        w.u8(STAGES.iter().position(|&x| x == s.stage).unwrap_or(0) as u8);
        w.f64(s.ms);
    }
}

fn get_timings(r: &mut Reader) -> WireResult<Vec<StageTiming>> {
    r.list(9, |r| {
        let code = r.u8()? as usize;
        let stage = *STAGES
            .get(code)
            .ok_or_else(|| WireError(format!("stage {code}")))?;
        Ok(StageTiming {
            stage,
            ms: r.f64()?,
        })
    })
}

/// Writes the prepared planes (without the local-threshold cache).
pub fn put_prepared(w: &mut Writer, p: &Prepared) {
    put_plane(w, &p.plane);
    w.opt(p.corrected.as_ref(), put_plane);
    w.opt(p.smoothed.as_ref(), put_plane);
    w.len(p.histogram.len());
    for &h in &p.histogram {
        w.u64(h);
    }
    w.u16(p.otsu);
    put_timings(w, &p.timings);
    w.f32(p.diameter.diameter);
    w.f32(p.diameter.measured);
    w.len(p.diameter.votes);
    w.bool(p.diameter.estimated);
    w.f64(p.background.level);
    w.f64(p.background.spread);
}

/// Reads prepared planes.
pub fn get_prepared(r: &mut Reader) -> WireResult<Prepared> {
    let plane = get_plane(r)?;
    let corrected = r.opt(get_plane)?;
    let smoothed = r.opt(get_plane)?;
    for p in corrected.iter().chain(smoothed.iter()) {
        if (p.width, p.height) != (plane.width, plane.height) {
            return bad("prepared planes differ in size");
        }
    }
    let histogram = r.list(8, Reader::u64)?;
    Ok(Prepared {
        plane,
        corrected,
        smoothed,
        histogram,
        otsu: r.u16()?,
        timings: get_timings(r)?,
        local_cache: LocalCache::default(),
        diameter: DiameterEstimate {
            diameter: finite_f32(r.f32()?)?,
            measured: finite_f32(r.f32()?)?,
            votes: r.u32()? as usize,
            estimated: r.bool()?,
        },
        background: Background {
            level: finite_f64(r.f64()?)?,
            spread: finite_f64(r.f64()?)?,
        },
    })
}

fn finite_f32(v: f32) -> WireResult<f32> {
    if v.is_finite() {
        Ok(v)
    } else {
        bad("a number that is not finite")
    }
}

fn finite_f64(v: f64) -> WireResult<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        bad("a number that is not finite")
    }
}

fn put_components(w: &mut Writer, c: &Components) {
    w.u32(c.width);
    w.u32(c.height);
    w.u32(c.count);
    w.len(c.runs.len());
    for (run, &label) in c.runs.iter().zip(&c.labels) {
        w.u32(run.y);
        w.u32(run.x0);
        w.u32(run.x1);
        w.u32(label);
    }
}

fn get_components(r: &mut Reader) -> WireResult<Components> {
    let (width, height, count) = (r.u32()?, r.u32()?, r.u32()?);
    pixel_count(width, height)?;
    let n = r.len(16)?;
    let mut runs = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for _ in 0..n {
        let run = Run {
            y: r.u32()?,
            x0: r.u32()?,
            x1: r.u32()?,
        };
        let label = r.u32()?;
        if run.y >= height || run.x0 >= run.x1 || run.x1 > width || label == 0 || label > count {
            return bad("a run outside its image");
        }
        runs.push(run);
        labels.push(label);
    }
    Ok(Components {
        width,
        height,
        runs,
        labels,
        count,
    })
}

fn put_object(w: &mut Writer, o: &ObjectStats) {
    w.u32(o.label);
    w.u64(o.area);
    w.f64(o.x);
    w.f64(o.y);
    w.u32(o.bx);
    w.u32(o.by);
    w.u32(o.width);
    w.u32(o.height);
    w.f64(o.mean);
    w.u16(o.min);
    w.u16(o.max);
}

fn get_object(r: &mut Reader) -> WireResult<ObjectStats> {
    Ok(ObjectStats {
        label: r.u32()?,
        area: r.u64()?,
        x: r.f64()?,
        y: r.f64()?,
        bx: r.u32()?,
        by: r.u32()?,
        width: r.u32()?,
        height: r.u32()?,
        mean: r.f64()?,
        min: r.u16()?,
        max: r.u16()?,
    })
}

fn put_shape(w: &mut Writer, s: &Shape) {
    for v in [
        s.perimeter,
        s.circularity,
        s.major,
        s.minor,
        s.angle,
        s.aspect_ratio,
        s.roundness,
        s.solidity,
        s.feret,
        s.min_feret,
    ] {
        w.f64(v);
    }
}

fn get_shape(r: &mut Reader) -> WireResult<Shape> {
    Ok(Shape {
        perimeter: r.f64()?,
        circularity: r.f64()?,
        major: r.f64()?,
        minor: r.f64()?,
        angle: r.f64()?,
        aspect_ratio: r.f64()?,
        roundness: r.f64()?,
        solidity: r.f64()?,
        feret: r.f64()?,
        min_feret: r.f64()?,
    })
}

fn put_bodies(w: &mut Writer, bodies: &[Body]) {
    w.len(bodies.len());
    for b in bodies {
        for v in [b.thickness, b.elongation, b.blob, b.brightness, b.ring] {
            w.f64(v);
        }
    }
}

fn get_bodies(r: &mut Reader) -> WireResult<Vec<Body>> {
    r.list(40, |r| {
        Ok(Body {
            thickness: r.f64()?,
            elongation: r.f64()?,
            blob: r.f64()?,
            brightness: r.f64()?,
            ring: r.f64()?,
        })
    })
}

/// Writes an analysis; the label image is not sent (it is rebuilt from the runs).
pub fn put_analysis(w: &mut Writer, a: &Analysis) {
    w.u32(a.width);
    w.u32(a.height);
    put_components(w, &a.components);
    w.len(a.objects.len());
    a.objects.iter().for_each(|o| put_object(w, o));
    w.len(a.shapes.len());
    a.shapes.iter().for_each(|s| put_shape(w, s));
    w.len(a.contrast.len());
    a.contrast.iter().for_each(|&c| w.f64(c));
    put_bodies(w, &a.bodies);
    put_components(w, &a.rejected);
    w.len(a.rejected_objects.len());
    a.rejected_objects.iter().for_each(|o| put_object(w, o));
    w.len(a.rejected_shapes.len());
    a.rejected_shapes.iter().for_each(|s| put_shape(w, s));
    w.len(a.rejected_contrast.len());
    a.rejected_contrast.iter().for_each(|&c| w.f64(c));
    put_bodies(w, &a.rejected_bodies);
    w.len(a.rejected_why.len());
    a.rejected_why
        .iter()
        .for_each(|&x| w.u8(REJECTS.iter().position(|&y| y == x).unwrap_or(0) as u8));
    for scores in [&a.scores, &a.rejected_scores] {
        w.len(scores.len());
        scores.iter().for_each(|&v| w.f32(v));
    }
    w.f32(a.diameter);
    w.bool(a.diameter_estimated);
    w.opt(a.level.as_ref(), |w, &l| w.u16(l));
    w.u16(a.otsu_level);
    w.u16(a.max_value);
    put_timings(w, &a.timings);
}

/// Reads an analysis and rebuilds its label image.
pub fn get_analysis(r: &mut Reader) -> WireResult<Analysis> {
    let (width, height) = (r.u32()?, r.u32()?);
    let components = get_components(r)?;
    if (components.width, components.height) != (width, height) {
        return bad("components of another size");
    }
    pixel_count(width, height)?;
    let objects = r.list(62, get_object)?;
    let shapes = r.list(80, get_shape)?;
    let contrast = r.list(8, Reader::f64)?;
    let bodies = get_bodies(r)?;
    if objects.len() != components.count as usize
        || shapes.len() != objects.len()
        || contrast.len() != objects.len()
        || bodies.len() != objects.len()
    {
        return bad("object lists of different lengths");
    }
    let rejected = get_components(r)?;
    if (rejected.width, rejected.height) != (width, height) {
        return bad("rejected components of another size");
    }
    let rejected_objects = r.list(62, get_object)?;
    let rejected_shapes = r.list(80, get_shape)?;
    let rejected_contrast = r.list(8, Reader::f64)?;
    let rejected_bodies = get_bodies(r)?;
    let rejected_why = r.list(1, |r| {
        let code = r.u8()? as usize;
        REJECTS
            .get(code)
            .copied()
            .ok_or_else(|| WireError(format!("filter {code}")))
    })?;
    if rejected_objects.len() != rejected.count as usize
        || rejected_shapes.len() != rejected_objects.len()
        || rejected_contrast.len() != rejected_objects.len()
        || rejected_bodies.len() != rejected_objects.len()
        || rejected_why.len() != rejected_objects.len()
    {
        return bad("rejected object lists of different lengths");
    }
    // Scores: none (no model), or one per object.
    let scores = r.list(4, Reader::f32)?;
    let rejected_scores = r.list(4, Reader::f32)?;
    if !(scores.is_empty() && rejected_scores.is_empty()
        || scores.len() == objects.len() && rejected_scores.len() == rejected_objects.len())
    {
        return bad("score lists of other lengths than the objects'");
    }
    let diameter = finite_f32(r.f32()?)?;
    let diameter_estimated = r.bool()?;
    let level = r.opt(Reader::u16)?;
    let (otsu_level, max_value) = (r.u16()?, r.u16()?);
    let timings = get_timings(r)?;
    let labels = crate::imaging::label::label_image(&components);
    Ok(Analysis {
        width,
        height,
        labels,
        components,
        objects,
        shapes,
        contrast,
        bodies,
        rejected,
        rejected_objects,
        rejected_shapes,
        rejected_contrast,
        rejected_bodies,
        rejected_why,
        scores,
        rejected_scores,
        diameter,
        diameter_estimated,
        level,
        otsu_level,
        max_value,
        timings,
    })
}

/// Writes an object's box.
pub fn put_box(w: &mut Writer, b: &ObjectBox) {
    for v in [b.label, b.x0, b.y0, b.x1, b.y1, b.cx, b.cy] {
        w.u32(v);
    }
}

/// Reads an object's box.
pub fn get_box(r: &mut Reader) -> WireResult<ObjectBox> {
    Ok(ObjectBox {
        label: r.u32()?,
        x0: r.u32()?,
        y0: r.u32()?,
        x1: r.u32()?,
        y1: r.u32()?,
        cx: r.u32()?,
        cy: r.u32()?,
    })
}

/// Writes a score.
pub fn put_score(w: &mut Writer, s: &ImageScore) {
    for v in [s.true_count, s.pred_count, s.tp, s.fp, s.fn_] {
        w.u32(v);
    }
    w.len(s.matches.len());
    for m in &s.matches {
        w.u32(m.unwrap_or(0));
    }
    w.len(s.missed.len());
    s.missed.iter().for_each(|&m| w.u32(m));
    w.len(s.truth_objects.len());
    s.truth_objects.iter().for_each(|b| put_box(w, b));
    w.len(s.pred_objects.len());
    s.pred_objects.iter().for_each(|b| put_box(w, b));
    w.u64(s.pred_area);
    w.u64(s.truth_area);
    w.u64(s.overlap);
}

/// Reads a score.
pub fn get_score(r: &mut Reader) -> WireResult<ImageScore> {
    let (true_count, pred_count, tp, fp, fn_) = (r.u32()?, r.u32()?, r.u32()?, r.u32()?, r.u32()?);
    let matches = r.list(4, |r| Ok(Some(r.u32()?).filter(|&m| m != 0)))?;
    let missed = r.list(4, Reader::u32)?;
    let truth_objects = r.list(28, get_box)?;
    let pred_objects = r.list(28, get_box)?;
    Ok(ImageScore {
        true_count,
        pred_count,
        tp,
        fp,
        fn_,
        matches,
        missed,
        truth_objects,
        pred_objects,
        pred_area: r.u64()?,
        truth_area: r.u64()?,
        overlap: r.u64()?,
    })
}

/// Writes scoring options.
pub fn put_score_options(w: &mut Writer, o: &ScoreOptions) {
    w.f64(o.max_distance);
    w.u8(match o.centre {
        CentreRule::MidpointDown => 0,
        CentreRule::HalfExtentUp => 1,
    });
}

/// Reads scoring options.
pub fn get_score_options(r: &mut Reader) -> WireResult<ScoreOptions> {
    let max_distance = r.f64()?;
    let centre = match r.u8()? {
        0 => CentreRule::MidpointDown,
        1 => CentreRule::HalfExtentUp,
        c => return bad(format!("centre rule {c}")),
    };
    Ok(ScoreOptions {
        max_distance,
        centre,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::{
        params::Params,
        pipeline::{analyze, prepare},
        scoring::{score, truth_mask},
        synth::{SynthParams, generate},
    };

    #[test]
    fn a_few_bytes_claiming_a_huge_or_degenerate_image_allocate_nothing() {
        // An analysis of 100000x100000 (its label image alone would take 40 GB), one of
        // 2^31 x 2^31 (a capacity overflow), one of 0 x 4294967295 (seconds of empty rows), and
        // 65535 x 65535 (over the pixel budget; on wasm32 beyond a 32-bit usize).
        for (w, h) in [
            (100_000u32, 100_000u32),
            (1 << 31, 1 << 31),
            (0, u32::MAX),
            (65_535, 65_535),
        ] {
            let mut wr = Writer::new();
            wr.u32(w);
            wr.u32(h);
            // Components of the same size, then no runs.
            wr.u32(w);
            wr.u32(h);
            wr.u32(0);
            wr.u32(0);
            let bytes = wr.finish();
            let err = get_analysis(&mut Reader::new(&bytes)).expect_err("refused");
            assert!(
                err.0.contains("larger than a message may carry"),
                "{w}x{h}: {err:?}"
            );
            for get in [
                |r: &mut Reader| get_mask(r).map(|_| ()),
                |r: &mut Reader| get_plane(r).map(|_| ()),
                |r: &mut Reader| get_image(r).map(|_| ()),
            ] {
                assert!(get(&mut Reader::new(&bytes)).is_err(), "{w}x{h}");
            }
        }
    }

    fn small_synth() -> crate::count::synth::Synthetic {
        generate(&SynthParams {
            width: 200,
            height: 150,
            cells: 6,
            ..SynthParams::default()
        })
    }

    fn round<T>(
        put: impl Fn(&mut Writer, &T),
        get: impl Fn(&mut Reader) -> WireResult<T>,
        v: &T,
    ) -> T {
        let mut w = Writer::new();
        put(&mut w, v);
        let bytes = w.finish();
        let mut r = Reader::new(&bytes);
        let out = get(&mut r).expect("reads back");
        r.end().expect("nothing left");
        out
    }

    #[test]
    fn images_of_every_layout_round_trip() {
        let images = [
            Image::gray8(3, 2, vec![0, 1, 2, 3, 4, 255]),
            Image::gray16(2, 2, vec![0, 65535, 300, 7]),
            Image::new(2, 1, Layout::GrayAlpha, Pixels::U8(vec![1, 2, 3, 4])),
            Image::rgb8(1, 2, vec![1, 2, 3, 4, 5, 6]),
            Image::new(1, 1, Layout::Rgba, Pixels::U16(vec![1, 2, 3, 4])),
            Image::gray8(0, 0, vec![]),
        ];
        for im in &images {
            assert_eq!(&round(put_image, get_image, im), im);
        }
    }

    #[test]
    fn analysis_prepared_and_score_round_trip() {
        let s = small_synth();
        let params = Params::default();
        let a = analyze(&s.image, &params);
        assert!(a.count() > 0);
        let b = round(put_analysis, get_analysis, &a);
        assert_eq!(b.labels, a.labels);
        assert_eq!(b.components, a.components);
        assert_eq!(b.objects, a.objects);
        assert_eq!(b.shapes, a.shapes);
        assert_eq!(b.contrast, a.contrast);
        assert_eq!(
            (b.level, b.otsu_level, b.max_value),
            (a.level, a.otsu_level, a.max_value)
        );
        assert_eq!(b.timings, a.timings);
        assert_eq!(b.bodies, a.bodies);
        // Every object removed by a filter: the rejected lists cross whole.
        let r = analyze(
            &s.image,
            &Params {
                max_area: Some(1),
                ..params.clone()
            },
        );
        assert!(r.count() == 0 && r.rejected_objects.len() >= a.count());
        let back = round(put_analysis, get_analysis, &r);
        assert_eq!(back.rejected, r.rejected);
        assert_eq!(back.rejected_objects, r.rejected_objects);
        assert_eq!(back.rejected_shapes, r.rejected_shapes);
        assert_eq!(back.rejected_contrast, r.rejected_contrast);
        // Compared as text: a rejected object's blob measure is NaN when it was never needed.
        assert_eq!(
            format!("{:?}", back.rejected_bodies),
            format!("{:?}", r.rejected_bodies)
        );
        assert_eq!(back.rejected_why, r.rejected_why);
        assert_eq!(
            (back.diameter, back.diameter_estimated),
            (r.diameter, r.diameter_estimated)
        );

        let mut p = params.clone();
        p.background = 5;
        let prep = prepare(&s.image, &p);
        let back = round(put_prepared, get_prepared, &prep);
        assert_eq!(back.plane, prep.plane);
        assert_eq!(back.corrected, prep.corrected);
        assert_eq!(back.smoothed, prep.smoothed);
        assert_eq!(back.histogram, prep.histogram);
        assert_eq!(back.otsu, prep.otsu);

        let truth = truth_mask(&Plane::from_u8(200, 150, &s.truth));
        let sc = score(&a.components, &truth, ScoreOptions::default()).expect("same size");
        assert_eq!(round(put_score, get_score, &sc), sc);
        assert_eq!(round(put_mask, get_mask, &truth), truth);
    }

    #[test]
    fn truncated_and_corrupt_buffers_are_errors_not_panics() {
        let s = small_synth();
        let a = analyze(&s.image, &Params::default());
        let mut w = Writer::new();
        put_analysis(&mut w, &a);
        let bytes = w.finish();
        for cut in (0..bytes.len()).step_by(97) {
            assert!(
                get_analysis(&mut Reader::new(&bytes[..cut])).is_err(),
                "cut at {cut}"
            );
        }
        // A huge length claims more than is there.
        let mut w = Writer::new();
        w.u32(4000);
        w.u32(4000);
        w.u8(3);
        w.u8(8);
        w.u32(u32::MAX);
        assert!(get_image(&mut Reader::new(&w.finish())).is_err());
        // Sample count that does not match the dimensions.
        let mut w = Writer::new();
        w.u32(2);
        w.u32(2);
        w.u8(1);
        w.u8(8);
        w.bytes(&[1, 2, 3]);
        assert!(get_image(&mut Reader::new(&w.finish())).is_err());
    }

    #[test]
    fn mask_tail_bits_are_cleared() {
        let mut w = Writer::new();
        w.u32(3);
        w.u32(1);
        w.u64(u64::MAX);
        let m = get_mask(&mut Reader::new(&w.finish())).expect("reads");
        assert_eq!(m.count_ones(), 3);
    }
}
