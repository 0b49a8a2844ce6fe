//! The bad-input corpus: every case, made here from code so the repository stays small, goes
//! through decoding and, when it decodes, a count. Each must give either a correct image and
//! count, or an error whose message says what is wrong; none may panic. Each case is one line:
//! its name and what it is.
//!
//! `FLUOCOUNT_WRITE_BAD=DIR cargo test --test bad_inputs` also writes the cases as files into
//! DIR with a `README.md` listing them (for dropping into the app).

#![cfg(not(target_arch = "wasm32"))]

use fluocount::util::zip::crc32;
use fluocount::{
    count::{analyze, presets::Collection},
    imaging::{DecodeErrorKind, DecodeLimits, decode},
};
use std::io::Cursor;

/// What a case must give.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Want {
    /// An image of this width and height.
    Image(u32, u32),
    /// An error of this kind.
    Error(DecodeErrorKind),
    /// An error of one of the kinds that mean damage: truncated or corrupt.
    Damaged,
}

struct Case {
    name: String,
    what: String,
    bytes: Vec<u8>,
    want: Want,
}

fn case(name: &str, what: &str, bytes: Vec<u8>, want: Want) -> Case {
    Case {
        name: name.to_string(),
        what: what.to_string(),
        bytes,
        want,
    }
}

/// A PNG of any colour type and depth, `w` x `h`, with a gradient.
fn png(w: u32, h: u32, color: png::ColorType, depth: png::BitDepth, palette: bool) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut e = png::Encoder::new(&mut out, w, h);
        e.set_color(color);
        e.set_depth(depth);
        if palette {
            let p: Vec<u8> = (0..=255u8).flat_map(|i| [i, i / 2, 255 - i]).collect();
            e.set_palette(p);
        }
        let bits = depth as usize
            * match color {
                png::ColorType::Grayscale | png::ColorType::Indexed => 1,
                png::ColorType::GrayscaleAlpha => 2,
                png::ColorType::Rgb => 3,
                png::ColorType::Rgba => 4,
            };
        let row = (w as usize * bits).div_ceil(8);
        let data: Vec<u8> = (0..row * h as usize)
            .map(|i| (i * 37 % 251) as u8)
            .collect();
        let mut wr = e.write_header().expect("header");
        wr.write_image_data(&data).expect("data");
    }
    out
}

fn tiff_with<C: tiff::encoder::colortype::ColorType>(
    w: u32,
    h: u32,
    data: &[C::Inner],
    compression: tiff::encoder::Compression,
    pages: usize,
) -> Vec<u8>
where
    [C::Inner]: tiff::encoder::TiffValue,
{
    let mut out = Cursor::new(Vec::new());
    {
        let mut t = tiff::encoder::TiffEncoder::new(&mut out)
            .expect("tiff")
            .with_compression(compression);
        for _ in 0..pages {
            t.write_image::<C>(w, h, data).expect("page");
        }
    }
    out.into_inner()
}

fn jpeg(w: u32, h: u32, grey: bool) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 5) as u8, (y * 3) as u8, 40]));
    let dynamic = if grey {
        image::DynamicImage::ImageLuma8(image::DynamicImage::ImageRgb8(img).to_luma8())
    } else {
        image::DynamicImage::ImageRgb8(img)
    };
    let mut out = Cursor::new(Vec::new());
    dynamic
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("jpeg");
    out.into_inner()
}

/// A PNG whose header claims `w` x `h` (its data stays that of a 1x1 image).
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut p = png(1, 1, png::ColorType::Rgb, png::BitDepth::Eight, false);
    p[16..20].copy_from_slice(&w.to_be_bytes());
    p[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&p[12..29]);
    p[29..33].copy_from_slice(&crc.to_be_bytes());
    p
}

/// One PNG chunk: length, kind, data and checksum.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let crc = crc32(&c[4..]);
    c.extend_from_slice(&crc.to_be_bytes());
    c
}

/// A PNG of 8-bit samples (`color` 0 grey, 2 RGB) built from its parts: the header, `extra`
/// chunks, then one IDAT holding `zlib` as given.
fn png_from_chunks(
    w: u32,
    h: u32,
    color: u8,
    extra: &[([u8; 4], Vec<u8>)],
    zlib: &[u8],
) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, color, 0, 0, 0]);
    out.extend(chunk(b"IHDR", &ihdr));
    for (kind, data) in extra {
        out.extend(chunk(kind, data));
    }
    out.extend(chunk(b"IDAT", zlib));
    out.extend(chunk(b"IEND", &[]));
    out
}

/// A 32x32 grey 8-bit TIFF stored in four uncompressed 16x16 tiles (little-endian).
fn tiled_tiff() -> Vec<u8> {
    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&8u32.to_le_bytes());
    let (offsets_at, counts_at, data_at) = (134u32, 150u32, 166u32);
    let entries: [(u16, u16, u32, u32); 10] = [
        (256, 3, 1, 32),
        (257, 3, 1, 32),
        (258, 3, 1, 8),
        (259, 3, 1, 1),
        (262, 3, 1, 1),
        (277, 3, 1, 1),
        (322, 3, 1, 16),
        (323, 3, 1, 16),
        (324, 4, 4, offsets_at),
        (325, 4, 4, counts_at),
    ];
    t.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, count, value) in entries {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value.to_le_bytes());
    }
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len(), offsets_at as usize);
    for k in 0..4u32 {
        t.extend_from_slice(&(data_at + k * 256).to_le_bytes());
    }
    for _ in 0..4 {
        t.extend_from_slice(&256u32.to_le_bytes());
    }
    for k in 0..4u32 {
        t.extend((0..256u32).map(|i| (k * 60 + i % 16 * 3) as u8));
    }
    t
}

/// A 40x30 JPEG from the jpeg-encoder crate: RGB or CMYK, baseline or progressive.
fn jpeg_with(color: jpeg_encoder::ColorType, progressive: bool) -> Vec<u8> {
    let channels = if color == jpeg_encoder::ColorType::Cmyk {
        4
    } else {
        3
    };
    let data: Vec<u8> = (0..40 * 30 * channels)
        .map(|i| (i * 7 % 256) as u8)
        .collect();
    let mut out = Vec::new();
    let mut e = jpeg_encoder::Encoder::new(&mut out, 90);
    e.set_progressive(progressive);
    e.encode(&data, 40, 30, color).expect("jpeg");
    out
}

fn cases() -> Vec<Case> {
    use DecodeErrorKind as K;
    use png::{BitDepth as D, ColorType as C};
    use tiff::encoder::{Compression, DeflateLevel, colortype as tc};
    let mut v = Vec::new();
    // PNG: every colour type and depth.
    for (color, depths, palette) in [
        (
            C::Grayscale,
            &[D::One, D::Two, D::Four, D::Eight, D::Sixteen][..],
            false,
        ),
        (C::Indexed, &[D::One, D::Two, D::Four, D::Eight][..], true),
        (C::GrayscaleAlpha, &[D::Eight, D::Sixteen][..], false),
        (C::Rgb, &[D::Eight, D::Sixteen][..], false),
        (C::Rgba, &[D::Eight, D::Sixteen][..], false),
    ] {
        for &d in depths {
            let name = format!("png-{color:?}-{}bit.png", d as u8).to_lowercase();
            v.push(case(
                &name,
                &format!("PNG, {color:?}, {} bit(s) a sample, 37x23", d as u8),
                png(37, 23, color, d, palette),
                Want::Image(37, 23),
            ));
        }
    }
    // TIFF: layouts, sample formats, compressions, pages.
    let (w, h) = (29u32, 17u32);
    let n = (w * h) as usize;
    let g8: Vec<u8> = (0..n).map(|i| (i % 256) as u8).collect();
    let g16: Vec<u16> = (0..n).map(|i| (i * 97 % 65536) as u16).collect();
    let rgb8: Vec<u8> = (0..n * 3).map(|i| (i % 256) as u8).collect();
    let rgba8: Vec<u8> = (0..n * 4).map(|i| (i % 256) as u8).collect();
    let rgb16: Vec<u16> = (0..n * 3).map(|i| (i * 31 % 65536) as u16).collect();
    for (label, comp) in [
        ("none", Compression::Uncompressed),
        ("lzw", Compression::Lzw),
        ("deflate", Compression::Deflate(DeflateLevel::Balanced)),
        ("packbits", Compression::Packbits),
    ] {
        v.push(case(
            &format!("tiff-gray8-{label}.tif"),
            &format!("TIFF, grey 8-bit, {label} compression"),
            tiff_with::<tc::Gray8>(w, h, &g8, comp, 1),
            Want::Image(w, h),
        ));
        v.push(case(
            &format!("tiff-rgb16-{label}.tif"),
            &format!("TIFF, RGB 16-bit, {label} compression"),
            tiff_with::<tc::RGB16>(w, h, &rgb16, comp, 1),
            Want::Image(w, h),
        ));
    }
    v.push(case(
        "tiff-gray16.tif",
        "TIFF, grey 16-bit",
        tiff_with::<tc::Gray16>(w, h, &g16, Compression::Uncompressed, 1),
        Want::Image(w, h),
    ));
    v.push(case(
        "tiff-rgb8.tif",
        "TIFF, RGB 8-bit",
        tiff_with::<tc::RGB8>(w, h, &rgb8, Compression::Uncompressed, 1),
        Want::Image(w, h),
    ));
    v.push(case(
        "tiff-rgba8.tif",
        "TIFF, RGBA 8-bit",
        tiff_with::<tc::RGBA8>(w, h, &rgba8, Compression::Uncompressed, 1),
        Want::Image(w, h),
    ));
    v.push(case(
        "tiff-multipage.tif",
        "TIFF, three grey 8-bit pages (the first is read)",
        tiff_with::<tc::Gray8>(w, h, &g8, Compression::Uncompressed, 3),
        Want::Image(w, h),
    ));
    let f32g: Vec<f32> = (0..n).map(|i| i as f32 / n as f32).collect();
    v.push(case(
        "tiff-gray-float32.tif",
        "TIFF, grey 32-bit float (unsupported, said so)",
        tiff_with::<tc::Gray32Float>(w, h, &f32g, Compression::Uncompressed, 1),
        Want::Error(K::Unsupported),
    ));
    let u32g: Vec<u32> = (0..n as u32).collect();
    v.push(case(
        "tiff-gray-uint32.tif",
        "TIFF, grey 32-bit integer (unsupported, said so)",
        tiff_with::<tc::Gray32>(w, h, &u32g, Compression::Uncompressed, 1),
        Want::Error(K::Unsupported),
    ));
    let f32rgb: Vec<f32> = (0..n * 3).map(|i| (i % 256) as f32).collect();
    v.push(case(
        "tiff-rgb-float32-0-255.tif",
        "TIFF, RGB 32-bit float holding 0..255 (scaled by its range)",
        tiff_with::<tc::RGB32Float>(w, h, &f32rgb, Compression::Uncompressed, 1),
        Want::Image(w, h),
    ));
    let cmyk: Vec<u8> = (0..n * 4).map(|i| (i % 256) as u8).collect();
    v.push(case(
        "tiff-cmyk8.tif",
        "TIFF, CMYK 8-bit (converted to RGB)",
        tiff_with::<tc::CMYK8>(w, h, &cmyk, Compression::Uncompressed, 1),
        Want::Image(w, h),
    ));
    let mut big = b"II\x2b\x00\x08\x00\x00\x00".to_vec();
    big.extend_from_slice(&16u64.to_le_bytes());
    v.push(case(
        "bigtiff.tif",
        "a BigTIFF header",
        big,
        Want::Error(K::Unsupported),
    ));
    // JPEG.
    v.push(case(
        "jpeg-rgb.jpg",
        "JPEG, colour",
        jpeg(40, 30, false),
        Want::Image(40, 30),
    ));
    v.push(case(
        "jpeg-grey.jpg",
        "JPEG, grey",
        jpeg(40, 30, true),
        Want::Image(40, 30),
    ));
    // Truncations at several offsets of each format.
    let p = png(64, 48, C::Rgb, D::Eight, false);
    let t = tiff_with::<tc::RGB8>(
        64,
        48,
        &vec![7u8; 64 * 48 * 3],
        Compression::Uncompressed,
        1,
    );
    let j = jpeg(64, 48, false);
    for (label, bytes) in [("png", &p), ("tif", &t), ("jpg", &j)] {
        for (at, cut) in [
            ("1", 1),
            ("8", 8),
            ("20", 20),
            ("third", bytes.len() / 3),
            ("half", bytes.len() / 2),
            ("last-20", bytes.len() - 20),
        ] {
            v.push(case(
                &format!("cut-{label}-{at}.{label}"),
                &format!("{label} cut after {cut} of {} bytes", bytes.len()),
                bytes[..cut].to_vec(),
                Want::Damaged,
            ));
        }
    }
    // Bombs.
    v.push(case(
        "bomb-png-65536x65536.png",
        "PNG header claiming 65536x65536",
        png_claiming(65_536, 65_536),
        Want::Error(K::TooLarge),
    ));
    v.push(case(
        "bomb-png-65536x1.png",
        "PNG header claiming 65536x1 (a side too long)",
        png_claiming(65_536, 1),
        Want::Error(K::TooLarge),
    ));
    v.push(case(
        "bomb-png-20000x20000.png",
        "PNG header claiming 400 megapixels",
        png_claiming(20_000, 20_000),
        Want::Error(K::TooLarge),
    ));
    v.push(case(
        "bomb-png-2pow31.png",
        "PNG header claiming a width of 2^31 (invalid)",
        png_claiming(1 << 31, 1),
        Want::Error(K::Corrupt),
    ));
    let mut liar = j.clone();
    if let Some(sof) = liar.windows(2).position(|w| w == [0xFF, 0xC0]) {
        liar[sof + 5..sof + 7].copy_from_slice(&1600u16.to_be_bytes());
        liar[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
    }
    v.push(case(
        "bomb-jpeg-60000x1600.jpg",
        "JPEG whose header claims 60000x1600 over 64x48 of data",
        liar,
        Want::Damaged,
    ));
    let mut tbomb = t.clone();
    // Patch the first IFD's width and height (tags 256, 257; SHORT or LONG values).
    let ifd = u32::from_le_bytes([tbomb[4], tbomb[5], tbomb[6], tbomb[7]]) as usize;
    let entries = u16::from_le_bytes([tbomb[ifd], tbomb[ifd + 1]]) as usize;
    for k in 0..entries {
        let e = ifd + 2 + k * 12;
        let tag = u16::from_le_bytes([tbomb[e], tbomb[e + 1]]);
        if tag == 256 || tag == 257 {
            tbomb[e + 2..e + 4].copy_from_slice(&4u16.to_le_bytes());
            tbomb[e + 8..e + 12].copy_from_slice(&100_000u32.to_le_bytes());
        }
    }
    v.push(case(
        "bomb-tiff-100000x100000.tif",
        "TIFF whose header claims 100000x100000 (its strips do not match: damaged)",
        tbomb,
        Want::Damaged,
    ));
    // Damage inside.
    let mut crc = p.clone();
    crc[29] ^= 0xFF;
    v.push(case(
        "png-bad-ihdr-crc.png",
        "PNG whose header checksum is wrong",
        crc,
        Want::Damaged,
    ));
    // Compressed-data bombs and damage under valid chunk checksums.
    let idat_bomb = png_from_chunks(
        4000,
        4000,
        0,
        &[],
        &miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 4001 * 4000], 10),
    );
    v.push(case(
        "bomb-zlib-4000x4000.png",
        "PNG of 16 megapixels of zeros in 16 KB (decoded within the limits)",
        idat_bomb,
        Want::Image(4000, 4000),
    ));
    let rows: Vec<u8> = [0u8, 9, 9, 9, 200, 200, 200].repeat(2);
    let mut overfull = rows.clone();
    overfull.resize(rows.len() + 50_000_000, 0);
    v.push(case(
        "bomb-zlib-trailing.png",
        "2x2 PNG whose compressed data goes on for 50 MB past its pixels (its pixels are whole: read, the rest ignored, as libpng does)",
        png_from_chunks(
            2,
            2,
            2,
            &[],
            &miniz_oxide::deflate::compress_to_vec_zlib(&overfull, 10),
        ),
        Want::Image(2, 2),
    ));
    let mut profile = b"bomb\0\0".to_vec();
    profile.extend(miniz_oxide::deflate::compress_to_vec_zlib(
        &vec![0u8; 50_000_000],
        10,
    ));
    v.push(case(
        "bomb-iccp.png",
        "2x2 PNG with a colour profile that inflates to 50 MB (the profile is skipped)",
        png_from_chunks(
            2,
            2,
            2,
            &[(*b"iCCP", profile)],
            &miniz_oxide::deflate::compress_to_vec_zlib(&rows, 6),
        ),
        Want::Image(2, 2),
    ));
    let mut zdamage = p.clone();
    if let Some(at) = zdamage.windows(4).position(|w| w == b"IDAT") {
        let len = u32::from_be_bytes([
            zdamage[at - 4],
            zdamage[at - 3],
            zdamage[at - 2],
            zdamage[at - 1],
        ]) as usize;
        zdamage[at + 4 + len / 2] ^= 0x5A;
        let crc = crc32(&zdamage[at..at + 4 + len]);
        zdamage[at + 4 + len..at + 8 + len].copy_from_slice(&crc.to_be_bytes());
    }
    v.push(case(
        "png-zlib-damaged-crc-ok.png",
        "PNG whose compressed data is damaged under recomputed chunk checksums",
        zdamage,
        Want::Damaged,
    ));
    // More layouts: tiled TIFF, progressive and CMYK JPEG.
    v.push(case(
        "tiff-tiled.tif",
        "TIFF, grey 8-bit in four 16x16 tiles",
        tiled_tiff(),
        Want::Image(32, 32),
    ));
    v.push(case(
        "jpeg-progressive.jpg",
        "JPEG, progressive",
        jpeg_with(jpeg_encoder::ColorType::Rgb, true),
        Want::Image(40, 30),
    ));
    v.push(case(
        "jpeg-cmyk.jpg",
        "JPEG, CMYK (Adobe)",
        jpeg_with(jpeg_encoder::ColorType::Cmyk, false),
        Want::Image(40, 30),
    ));
    // Hostile names on a good image: the name is shown and written as text, never interpreted.
    let good = png(37, 23, C::Rgb, D::Eight, false);
    for (name, what) in [
        ("=1+2.png", "a spreadsheet formula as a name"),
        ("a <b> & 'quote'.png", "markup and quotes in a name"),
        ("ünïcödé 細胞.png", "non-ASCII letters in a name"),
        ("-dash.png", "a name that starts like an option"),
        ("UPPER.PNG", "an upper-case extension"),
        ("dots.tif.png", "two extensions"),
    ] {
        v.push(case(name, what, good.clone(), Want::Image(37, 23)));
    }
    v.push(case(
        &format!("{}.png", "long".repeat(60)),
        "a 244-character name",
        good,
        Want::Image(37, 23),
    ));
    // Non-images under image names.
    for (name, what, bytes) in [
        ("empty.png", "zero bytes", Vec::new()),
        ("one-byte.png", "one byte", vec![0x89]),
        (
            "text.png",
            "a text file",
            b"hello, this is not an image\n".to_vec(),
        ),
        (
            "page.jpg",
            "an HTML page",
            b"<!doctype html><title>x</title>".to_vec(),
        ),
        (
            "doc.tif",
            "a PDF header",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(),
        ),
        (
            "archive.png",
            "a ZIP header",
            b"PK\x03\x04\x14\x00\x00\x00".to_vec(),
        ),
        ("zeros.png", "4 KB of zeros", vec![0; 4096]),
        (
            "signature-only.png",
            "the PNG signature alone",
            b"\x89PNG\r\n\x1a\n".to_vec(),
        ),
        (
            "soi-only.jpg",
            "a JPEG start marker alone",
            vec![0xFF, 0xD8],
        ),
        (
            "tiff-header-only.tif",
            "a TIFF header alone",
            b"II*\x00".to_vec(),
        ),
    ] {
        v.push(case(name, what, bytes, Want::Error(K::Empty)));
    }
    let mut r = 0x1234_5678_9abc_def0u64;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            r as u8
        })
        .collect();
    v.push(case(
        "noise.jpg",
        "4 KB of random bytes",
        noise,
        Want::Error(K::NotAnImage),
    ));
    for (name, what, bytes) in [
        (
            "anim.png",
            "a GIF",
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
        ),
        (
            "bitmap.tif",
            "a BMP header",
            b"BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00".to_vec(),
        ),
        (
            "photo.png",
            "a WebP header",
            b"RIFF\x1a\x00\x00\x00WEBPVP8 ".to_vec(),
        ),
    ] {
        v.push(case(name, what, bytes, Want::Error(K::Unsupported)));
    }
    v
}

/// Whether a non-image case's error is acceptable: any error but a panic, with a message.
fn accepts(want: Want, got: &Result<(u32, u32), (DecodeErrorKind, String)>) -> bool {
    match (want, got) {
        (Want::Image(w, h), Ok(size)) => *size == (w, h),
        (Want::Error(DecodeErrorKind::Empty), Err((k, _))) => matches!(
            k,
            DecodeErrorKind::Empty
                | DecodeErrorKind::NotAnImage
                | DecodeErrorKind::Truncated
                | DecodeErrorKind::Corrupt
        ),
        (Want::Error(DecodeErrorKind::NotAnImage), Err((k, _))) => {
            matches!(
                k,
                DecodeErrorKind::NotAnImage | DecodeErrorKind::Unsupported
            )
        }
        (Want::Error(kind), Err((k, _))) => *k == kind,
        (Want::Damaged, Err((k, _))) => {
            matches!(
                k,
                DecodeErrorKind::Truncated
                    | DecodeErrorKind::Corrupt
                    | DecodeErrorKind::Empty
                    | DecodeErrorKind::NotAnImage
            )
        }
        _ => false,
    }
}

#[test]
fn every_bad_input_gives_an_image_or_a_clear_error_and_never_a_panic() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names are distinct");
    let mut wrong = Vec::new();
    for c in &cases {
        let got = match decode(&c.bytes, &DecodeLimits::default()) {
            Ok(img) => {
                // A decoded image counts without a panic.
                let a = analyze(&img, &Collection::of_image(&img).preset());
                assert_eq!((a.width, a.height), (img.width(), img.height()));
                Ok((img.width(), img.height()))
            }
            Err(e) => {
                assert!(
                    e.message.len() > 10,
                    "{}: a message that says something",
                    c.name
                );
                Err((e.kind, e.message))
            }
        };
        if !accepts(c.want, &got) {
            wrong.push(format!(
                "{} ({}): wanted {:?}, got {got:?}",
                c.name, c.what, c.want
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    if let Ok(dir) = std::env::var("FLUOCOUNT_WRITE_BAD") {
        let dir = std::path::Path::new(&dir);
        std::fs::create_dir_all(dir).expect("dir");
        for c in &cases {
            std::fs::write(dir.join(&c.name), &c.bytes).expect("write");
        }
        std::fs::write(dir.join("README.md"), readme(&cases)).expect("readme");
    }
}

/// The corpus's README: what it is, then one line a case.
fn readme(cases: &[Case]) -> String {
    let mut text = String::from(
        "# The bad-input corpus\n\n\
         Unusual, damaged and hostile files, one line a case. Every file is made by \
         `tests/bad_inputs.rs` (no third-party data; CC0); regenerate them with \
         `FLUOCOUNT_WRITE_BAD=tests/data/bad cargo test --test bad_inputs`. The test checks each \
         case natively (an image of the stated size, or an error naming the reason) and that these \
         files are the ones it makes; `e2e/bad.test.mjs` drops them into the page with good images.\n\n",
    );
    for c in cases {
        text.push_str(&format!("- `{}`: {}\n", c.name, c.what));
    }
    text
}

#[test]
fn the_committed_corpus_is_the_one_the_cases_make() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad");
    let cases = cases();
    let mut stale = Vec::new();
    for c in &cases {
        match std::fs::read(dir.join(&c.name)) {
            Ok(bytes) if bytes == c.bytes => {}
            Ok(_) => stale.push(format!("{} differs", c.name)),
            Err(e) => stale.push(format!("{}: {e}", c.name)),
        }
    }
    if std::fs::read_to_string(dir.join("README.md")).ok() != Some(readme(&cases)) {
        stale.push("README.md differs".into());
    }
    let listed: std::collections::BTreeSet<_> = cases.iter().map(|c| c.name.clone()).collect();
    for entry in std::fs::read_dir(&dir).expect("tests/data/bad") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name != "README.md" && !listed.contains(&name) {
            stale.push(format!("{name} is no case"));
        }
    }
    assert!(
        stale.is_empty(),
        "tests/data/bad is stale (FLUOCOUNT_WRITE_BAD=tests/data/bad cargo test --test bad_inputs):\n{}",
        stale.join("\n")
    );
}
