//! A small ZIP reader and writer, enough for ImageJ's RoiSet files: reading stored and deflated
//! entries through the central directory (as Java's `ZipOutputStream` writes them, sizes after the
//! data), and writing stored entries with a fixed date, so the same entries give the same bytes.
//!
//! The format is PKWARE's APPNOTE.TXT (sections 4.3 and 4.4). Reading trusts no size in a header
//! before checking it against the data: every offset is checked, the entry count, each entry's
//! and the total uncompressed size are capped ([`Limits`]), each entry's CRC-32 is checked, and
//! the work is linear in the file's length plus the capped output. Zip64, encrypted entries and
//! methods other than stored (0) and deflate (8) are refused with the entry's name.

/// Caps on what [`read`] unpacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most entries (counting directories and skipped ones).
    pub max_entries: usize,
    /// Most uncompressed bytes of one entry.
    pub max_entry_bytes: usize,
    /// Most uncompressed bytes of all entries together.
    pub max_total_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 10_000,
            max_entry_bytes: 16 << 20,
            max_total_bytes: 64 << 20,
        }
    }
}

/// One file of an archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The path inside the archive (UTF-8, or each byte as a character when not flagged UTF-8).
    pub name: String,
    /// The uncompressed bytes.
    pub data: Vec<u8>,
}

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const END: u32 = 0x0605_4b50;
const END_LEN: usize = 22;
/// The UTF-8 name flag (general purpose bit 11).
const UTF8: u16 = 1 << 11;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// The CRC-32 of `data` (ISO-HDLC, the ZIP and PNG checksum).
pub fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut t = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    };
    !data.iter().fold(!0u32, |c, &b| {
        TABLE[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8)
    })
}

/// Whether `bytes` begin as a ZIP archive does (a local header, or the end record of an empty one).
pub fn looks_like_zip(bytes: &[u8]) -> bool {
    matches!(u32_at(bytes, 0), Some(LOCAL | END))
}

/// Finds the end-of-central-directory record: the last one whose comment ends the file.
fn find_end(b: &[u8]) -> Result<usize, String> {
    if b.len() < END_LEN {
        return Err(format!(
            "too short for a ZIP archive ({} bytes, the end record alone is {END_LEN})",
            b.len()
        ));
    }
    // The comment is at most 65535 bytes, so the record starts in the last 65557 bytes.
    let lowest = b.len().saturating_sub(END_LEN + 0xffff);
    (lowest..=b.len() - END_LEN)
        .rev()
        .find(|&at| {
            u32_at(b, at) == Some(END)
                && u16_at(b, at + 20).is_some_and(|c| at + END_LEN + c as usize == b.len())
        })
        .ok_or_else(|| "not a ZIP archive (no end-of-central-directory record)".to_string())
}

/// Reads every entry of a ZIP archive (directories are left out), within `limits`.
pub fn read(b: &[u8], limits: Limits) -> Result<Vec<Entry>, String> {
    let end = find_end(b)?;
    let field = |at: usize| u16_at(b, end + at).unwrap_or(0);
    let (disk, cd_disk) = (field(4), field(6));
    let count = field(10) as usize;
    let cd_size = u32_at(b, end + 12).unwrap_or(0) as usize;
    let cd_start = u32_at(b, end + 16).unwrap_or(0) as usize;
    if disk != 0 || cd_disk != 0 || field(8) as usize != count {
        return Err("a multi-part (spanned) ZIP archive is not supported".into());
    }
    if count == 0xffff || cd_size == 0xffff_ffff || cd_start == 0xffff_ffff {
        return Err("a Zip64 archive is not supported".into());
    }
    if count > limits.max_entries {
        return Err(format!(
            "{count} entries, more than the limit of {}",
            limits.max_entries
        ));
    }
    match cd_start.checked_add(cd_size) {
        Some(e) if e <= end => {}
        _ => return Err("the central directory lies outside the file".into()),
    }
    let mut entries = Vec::new();
    let mut total = 0usize;
    let mut at = cd_start;
    for i in 0..count {
        let bad = |why: &str| format!("entry {}: {why}", i + 1);
        if u32_at(b, at) != Some(CENTRAL) {
            return Err(bad("the central directory is damaged"));
        }
        let h = |o: usize| u16_at(b, at + o).unwrap_or(0);
        let (flags, method) = (h(8), h(10));
        let crc = u32_at(b, at + 16).unwrap_or(0);
        let comp = u32_at(b, at + 20).unwrap_or(0) as usize;
        let size = u32_at(b, at + 24).unwrap_or(0) as usize;
        let (name_len, extra_len, comment_len) = (h(28) as usize, h(30) as usize, h(32) as usize);
        let local = u32_at(b, at + 42).unwrap_or(0) as usize;
        let name_bytes = b
            .get(at + 46..at + 46 + name_len)
            .ok_or_else(|| bad("the central directory is cut short"))?;
        let name = if flags & UTF8 != 0 {
            String::from_utf8_lossy(name_bytes).into_owned()
        } else {
            name_bytes.iter().map(|&c| c as char).collect()
        };
        at += 46 + name_len + extra_len + comment_len;
        if at > cd_start + cd_size {
            return Err(bad("the central directory is cut short"));
        }
        let named = |why: String| format!("entry {name:?}: {why}");
        if name.ends_with('/') {
            continue;
        }
        if flags & 1 != 0 {
            return Err(named("encrypted entries are not supported".into()));
        }
        if comp == 0xffff_ffff || size == 0xffff_ffff || local == 0xffff_ffff {
            return Err(named("Zip64 entries are not supported".into()));
        }
        if size > limits.max_entry_bytes {
            return Err(named(format!(
                "{size} bytes uncompressed, more than the limit of {} per entry",
                limits.max_entry_bytes
            )));
        }
        total = total.saturating_add(size);
        if total > limits.max_total_bytes {
            return Err(named(format!(
                "the entries so far come to {total} bytes uncompressed, more than the limit of {}",
                limits.max_total_bytes
            )));
        }
        if u32_at(b, local) != Some(LOCAL) {
            return Err(named("its local header is missing or damaged".into()));
        }
        let lh = |o: usize| u16_at(b, local + o).unwrap_or(0) as usize;
        let raw = local
            .checked_add(30 + lh(26) + lh(28))
            .and_then(|s| Some((s, s.checked_add(comp)?)))
            .and_then(|(s, e)| b.get(s..e))
            .ok_or_else(|| named(format!("its {comp} bytes of data run past the end")))?;
        let data = match method {
            0 if comp == size => raw.to_vec(),
            0 => {
                return Err(named(format!(
                    "stored, yet {comp} bytes packed for {size} unpacked"
                )));
            }
            8 => miniz_oxide::inflate::decompress_to_vec_with_limit(raw, size)
                .map_err(|e| named(format!("damaged deflate data ({:?})", e.status)))?,
            m => return Err(named(format!("compression method {m} is not supported"))),
        };
        if data.len() != size {
            return Err(named(format!(
                "unpacks to {} bytes, the directory says {size}",
                data.len()
            )));
        }
        if crc32(&data) != crc {
            return Err(named("its CRC-32 does not match (damaged data)".into()));
        }
        entries.push(Entry { name, data });
    }
    Ok(entries)
}

/// Writes `entries` as a ZIP archive of stored (uncompressed) files, names flagged UTF-8, all
/// dated 1980-01-01 00:00, so the bytes depend on the entries only. Refuses what would need
/// Zip64: 65535 entries or more, an archive of 4 GiB or more, a name of 64 KiB or more.
pub fn write(entries: &[Entry]) -> Result<Vec<u8>, String> {
    let too_big = || "too large for a ZIP archive without Zip64".to_string();
    let n = u16::try_from(entries.len())
        .ok()
        .filter(|&n| n < 0xffff)
        .ok_or_else(|| format!("{} entries are too many for a ZIP archive", entries.len()))?;
    let mut out = Vec::new();
    let mut central = Vec::new();
    let date: u16 = 1 << 5 | 1; // 1980-01-01
    for e in entries {
        let name = e.name.as_bytes();
        let len = u32::try_from(e.data.len()).map_err(|_| too_big())?;
        let name_len = u16::try_from(name.len())
            .map_err(|_| format!("entry name of {} bytes is too long", name.len()))?;
        let offset = u32::try_from(out.len()).map_err(|_| too_big())?;
        let crc = crc32(&e.data);
        // Version needed 2.0, flags, method 0, time, date, CRC, sizes, name and extra lengths.
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes());
            v.extend_from_slice(&UTF8.to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
            v.extend_from_slice(&date.to_le_bytes());
            v.extend_from_slice(&crc.to_le_bytes());
            v.extend_from_slice(&len.to_le_bytes());
            v.extend_from_slice(&len.to_le_bytes());
            v.extend_from_slice(&name_len.to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
        };
        out.extend_from_slice(&LOCAL.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(name);
        out.extend_from_slice(&e.data);
        central.extend_from_slice(&CENTRAL.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by: MS-DOS, 2.0
        common(&mut central);
        // Comment length, disk, internal and external attributes, local header offset.
        central.extend_from_slice(&[0; 10]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let cd_start = u32::try_from(out.len()).map_err(|_| too_big())?;
    let cd_size = u32::try_from(central.len()).map_err(|_| too_big())?;
    if u32::try_from(out.len() + central.len()).is_err() {
        return Err(too_big());
    }
    out.extend_from_slice(&central);
    out.extend_from_slice(&END.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // this disk, the directory's disk
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_start.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, data: &[u8]) -> Entry {
        Entry {
            name: name.into(),
            data: data.to_vec(),
        }
    }

    #[test]
    fn crc32_of_the_check_string() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn stored_archive_round_trips() {
        let entries = vec![
            entry("a.roi", b"Iout1234"),
            entry("Кора.roi", b""),
            entry("b", b"x"),
        ];
        let zip = write(&entries).unwrap();
        assert!(looks_like_zip(&zip));
        assert_eq!(read(&zip, Limits::default()), Ok(entries));
        assert_eq!(read(&write(&[]).unwrap(), Limits::default()), Ok(vec![]));
    }

    /// A one-entry archive as Java's `ZipOutputStream` writes it: deflated, the sizes in a data
    /// descriptor after the data (zero in the local header), a directory entry first.
    fn java_style(name: &str, data: &[u8]) -> Vec<u8> {
        let packed = miniz_oxide::deflate::compress_to_vec(data, 6);
        let mut out = Vec::new();
        let mut cd = Vec::new();
        for (n, d, method, real) in [
            ("dir/", &[][..], 0u16, &[][..]),
            (name, &packed[..], 8, data),
        ] {
            let off = out.len() as u32;
            let c = crc32(real);
            let head = |v: &mut Vec<u8>, sizes: [u32; 3]| {
                v.extend_from_slice(&20u16.to_le_bytes());
                v.extend_from_slice(&(8u16 | UTF8).to_le_bytes());
                v.extend_from_slice(&method.to_le_bytes());
                v.extend_from_slice(&[0x21, 0x43, 0x65, 0x57]);
                for s in sizes {
                    v.extend_from_slice(&s.to_le_bytes());
                }
                v.extend_from_slice(&(n.len() as u16).to_le_bytes());
                v.extend_from_slice(&0u16.to_le_bytes());
            };
            out.extend_from_slice(&LOCAL.to_le_bytes());
            head(&mut out, [0, 0, 0]);
            out.extend_from_slice(n.as_bytes());
            out.extend_from_slice(d);
            out.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
            for s in [c, d.len() as u32, real.len() as u32] {
                out.extend_from_slice(&s.to_le_bytes());
            }
            cd.extend_from_slice(&CENTRAL.to_le_bytes());
            cd.extend_from_slice(&20u16.to_le_bytes());
            head(&mut cd, [c, d.len() as u32, real.len() as u32]);
            cd.extend_from_slice(&[0; 10]);
            cd.extend_from_slice(&off.to_le_bytes());
            cd.extend_from_slice(n.as_bytes());
        }
        let start = out.len() as u32;
        out.extend_from_slice(&cd);
        out.extend_from_slice(&END.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, 0, 2, 0, 2, 0]);
        out.extend_from_slice(&(cd.len() as u32).to_le_bytes());
        out.extend_from_slice(&start.to_le_bytes());
        out.extend_from_slice(&[3, 0, b'h', b'e', b'y']);
        out
    }

    #[test]
    fn reads_deflate_with_data_descriptors_and_a_comment() {
        let data: Vec<u8> = (0..3000u32).map(|i| (i % 7) as u8).collect();
        let zip = java_style("x.roi", &data);
        assert_eq!(
            read(&zip, Limits::default()),
            Ok(vec![entry("x.roi", &data)])
        );
    }

    #[test]
    fn limits_hold() {
        let data = vec![0u8; 5000];
        let zip = java_style("big.roi", &data);
        let tight = Limits {
            max_entry_bytes: 4999,
            ..Limits::default()
        };
        let e = read(&zip, tight).unwrap_err();
        assert!(e.contains("\"big.roi\"") && e.contains("per entry"), "{e}");
        let total = Limits {
            max_total_bytes: 10,
            ..Limits::default()
        };
        let two = write(&[entry("a", b"12345678"), entry("b", b"12345678")]).unwrap();
        let e = read(&two, total).unwrap_err();
        assert!(e.contains("\"b\"") && e.contains("16 bytes"), "{e}");
        let few = Limits {
            max_entries: 1,
            ..Limits::default()
        };
        assert!(read(&two, few).unwrap_err().contains("2 entries"));
    }

    #[test]
    fn damage_is_named_never_a_panic() {
        let zip = java_style("x.roi", &[1, 2, 3, 4, 5, 6, 7, 8, 9]);
        for cut in 0..zip.len() {
            assert!(
                read(&zip[..cut], Limits::default()).is_err(),
                "cut at {cut}"
            );
        }
        for i in 0..zip.len() {
            for v in [0u8, 0xff, 0x80] {
                let mut z = zip.clone();
                z[i] ^= v | 1;
                let _ = read(&z, Limits::default());
            }
        }
        let mut z = write(&[entry("a.roi", b"abc")]).unwrap();
        z[30 + 5] ^= 1; // the data: the checksum catches it
        assert!(read(&z, Limits::default()).unwrap_err().contains("CRC-32"));
        let mut z = write(&[entry("a.roi", b"abc")]).unwrap();
        z[8] = 9; // method in the local header is not read; in the directory it is
        let cd = z.len() - 22 - 46 - 5;
        z[cd + 10] = 12;
        assert!(
            read(&z, Limits::default())
                .unwrap_err()
                .contains("method 12")
        );
        assert!(read(b"PK\x03\x04", Limits::default()).is_err());
        assert!(read(b"", Limits::default()).is_err());
    }
}
