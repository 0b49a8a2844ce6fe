//! The `fluocount` command line writes what it promises: label images, tables, scores, tuned
//! parameters; and a bad file is reported by name without stopping the batch.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

fn fluocount(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fluocount"))
        .args(args)
        .output()
        .expect("runs fluocount")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A fresh directory under the system's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fluocount-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Writes a synthetic image (and its mask) and returns the number of cells.
fn synth(image: &Path, mask: &Path, seed: u32, extra: &[&str]) -> usize {
    let seed = seed.to_string();
    let mut args = vec![
        "synth",
        "--seed",
        &seed,
        "--out",
        s(image),
        "--truth",
        s(mask),
    ];
    args.extend_from_slice(extra);
    let out = fluocount(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).trim().parse().expect("cell count")
}

#[test]
fn count_out_writes_label_images_objects_and_summary() {
    let dir = scratch("count");
    let (img, mask) = (dir.join("cells one.png"), dir.join("truth.png"));
    synth(
        &img,
        &mask,
        3,
        &[
            "--width",
            "600",
            "--height",
            "400",
            "--cells",
            "12",
            "--touching",
            "0",
        ],
    );
    let out_dir = dir.join("out");
    let out = fluocount(&["count", "--preset", "yellow", "--out", s(&out_dir), s(&img)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let row = stdout.lines().last().expect("a row");
    let count: usize = row
        .split(',')
        .nth(4)
        .and_then(|c| c.parse().ok())
        .expect(row);
    assert!(count > 0, "{stdout}");

    let labels = image::open(out_dir.join("cells one_labels.png")).expect("label image");
    let labels = labels.as_luma16().expect("16-bit grey label image");
    assert_eq!(labels.dimensions(), (600, 400));
    let max = labels.pixels().map(|p| p.0[0]).max().unwrap_or(0) as usize;
    assert_eq!(max, count, "labels run 1..=count");

    let objects = std::fs::read_to_string(out_dir.join("objects.csv")).expect("objects.csv");
    let rows: Vec<&str> = objects.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(
        rows[0].starts_with("Image,Object,Area,Mean,Min,Max,X,Y,BX,BY,Width,Height,Perim.,Circ.")
    );
    assert_eq!(rows.len() - 1, count);
    assert!(rows[1].starts_with("cells one.png,1,"));

    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).expect("summary.csv");
    assert!(
        summary.contains("# parameters: preset yellow: v=3&channel=yellow"),
        "{summary}"
    );
    let last = summary.lines().last().expect("row");
    assert!(
        last.starts_with(&format!("cells one.png,{count},")),
        "{last}"
    );
}

#[test]
fn eval_scores_pairs_and_reports_a_corrupt_file_without_stopping() {
    let dir = scratch("eval");
    let (images, masks) = (dir.join("images"), dir.join("masks"));
    std::fs::create_dir_all(&images).expect("dir");
    std::fs::create_dir_all(&masks).expect("dir");
    let mut cells = 0;
    for seed in [5, 6] {
        let name = format!("s{seed}.png");
        cells += synth(
            &images.join(&name),
            &masks.join(&name),
            seed,
            &["--width", "500", "--height", "400", "--cells", "10"],
        );
    }
    std::fs::write(images.join("broken.png"), b"\x89PNG\r\n\x1a\n not really").expect("write");
    std::fs::write(masks.join("broken.png"), b"").expect("write");
    let out = fluocount(&[
        "eval",
        "--preset",
        "yellow",
        "--images",
        s(&images),
        "--masks",
        s(&masks),
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(1),
        "unreadable input gives status 1\n{stdout}\n{stderr}"
    );
    assert!(stderr.contains("broken.png"), "{stderr}");
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.contains("/s5.png,") || l.contains("/s6.png,"))
            .count(),
        2,
        "{stdout}"
    );
    let pooled = stdout
        .lines()
        .find(|l| l.starts_with("# pooled all:"))
        .expect(&stdout);
    assert!(pooled.contains(&format!("true={cells} ")), "{pooled}");
    let f1: f64 = pooled
        .split("F1=")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|v| v.parse().ok())
        .expect(pooled);
    assert!(f1 > 0.5, "{pooled}");

    // A mask of the wrong size is refused by name.
    synth(
        &images.join("s7.png"),
        &dir.join("s7-truth.png"),
        7,
        &["--width", "500", "--height", "400"],
    );
    synth(
        &dir.join("other.png"),
        &dir.join("small.png"),
        8,
        &["--width", "300", "--height", "200"],
    );
    std::fs::copy(dir.join("small.png"), masks.join("s7.png")).expect("copy");
    let out = fluocount(&["eval", "--images", s(&images), "--masks", s(&masks)]);
    assert!(
        text(&out.stderr).contains("the mask is 300x200 but the image"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn tune_improves_a_poor_start_and_writes_parameters_that_read_back() {
    let dir = scratch("tune");
    let (images, masks) = (dir.join("images"), dir.join("masks"));
    std::fs::create_dir_all(&images).expect("dir");
    std::fs::create_dir_all(&masks).expect("dir");
    for seed in [11, 12] {
        let name = format!("t{seed}.png");
        synth(
            &images.join(&name),
            &masks.join(&name),
            seed,
            &["--width", "400", "--height", "300", "--cells", "8"],
        );
    }
    // A poor start: no opening, a tiny minimum area, so debris counts as cells.
    let start = dir.join("start.txt");
    std::fs::write(&start, "open=0\nmin_area=1\nsplit=0\n").expect("write");
    let tuned = dir.join("tuned.txt");
    let out = fluocount(&[
        "tune",
        "--params",
        s(&start),
        "--images",
        s(&images),
        "--masks",
        s(&masks),
        "--out",
        s(&tuned),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("# search space"), "{stdout}");
    let f1 = |prefix: &str| -> f64 {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(prefix))
            .expect(prefix);
        line.split("F1 ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|v| v.parse().ok())
            .expect(line)
    };
    assert!(f1("# best") > f1("# start"), "{stdout}");
    let out = fluocount(&[
        "eval",
        "--params",
        s(&tuned),
        "--images",
        s(&images),
        "--masks",
        s(&masks),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).is_empty(),
        "the tuned file reads back without notices: {}",
        text(&out.stderr)
    );
}

#[test]
fn synth_hard_writes_a_suite_and_refuses_bad_values() {
    let dir = scratch("hard");
    let out = fluocount(&[
        "synth",
        "--hard",
        "--red",
        "--jpeg",
        "80",
        "--width",
        "400",
        "--height",
        "300",
        "--cells",
        "5",
        "--seed",
        "9",
        "--count",
        "2",
        "--out-dir",
        s(&dir),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let cells: usize = text(&out.stdout).trim().parse().expect("cell count");
    assert!(cells > 0 && cells <= 10);
    for name in ["hard-0009.png", "hard-0010.png"] {
        for sub in ["images", "masks"] {
            let f = dir.join(sub).join(name);
            assert!(f.is_file(), "{} is missing", f.display());
        }
    }
    let refused = [
        (
            &["--hard", "--jpeg", "0"][..],
            "--jpeg must be 1 to 100 (got 0)",
        ),
        (
            &["--hard", "--jpeg", "101"],
            "--jpeg must be 1 to 100 (got 101)",
        ),
        (
            &["--hard", "--jpeg", "x"],
            "--jpeg: “x” is not a valid value",
        ),
        (&["--rat"], "need --hard"),
        (
            &["--hard", "--width", "100000"],
            "width and height must be 32 to 20000",
        ),
        (
            &["--hard", "--width", "10000", "--height", "10000"],
            "at most 40000000 pixels",
        ),
        (&["--hard", "--noise", "NaN"], "noise must be 0 to 40"),
        (&["--hard", "--touching", "2"], "touching must be 0 to 1"),
    ];
    let img = dir.join("never.png");
    for (flags, message) in refused {
        let mut args = vec!["synth"];
        args.extend_from_slice(flags);
        args.extend_from_slice(&["--out", s(&img)]);
        let out = fluocount(&args);
        assert_eq!(out.status.code(), Some(2), "{flags:?}");
        assert!(
            text(&out.stderr).contains(message),
            "{flags:?}: {}",
            text(&out.stderr)
        );
    }
    assert!(!img.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn synth_suite_writes_the_hard_suite_and_takes_nothing_else() {
    let dir = scratch("suite");
    let out = fluocount(&["synth", "--suite", "--out-dir", s(&dir)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "348");
    let mut names: Vec<String> = std::fs::read_dir(dir.join("images"))
        .expect("images")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    let seeds = [1, 2, 3, 4, 100, 101, 102, 200, 201];
    let expected: Vec<String> = seeds.iter().map(|n| format!("hard-{n:04}.png")).collect();
    assert_eq!(names, expected);
    // Each is what `synth --hard` writes for its seed: a rat-scale red one, a JPEG one.
    let one = dir.join("one");
    for (seed, flags) in [("101", &["--rat", "--red"][..]), ("200", &["--jpeg", "75"])] {
        let mut args = vec!["synth", "--hard", "--seed", seed, "--count", "1"];
        args.extend_from_slice(flags);
        args.extend_from_slice(&["--out-dir", s(&one)]);
        let o = fluocount(&args);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let name = format!("hard-{:04}.png", seed.parse::<u32>().expect("seed"));
        for sub in ["images", "masks"] {
            let a = std::fs::read(dir.join(sub).join(&name)).expect("suite file");
            let b = std::fs::read(one.join(sub).join(&name)).expect("single file");
            assert!(a == b, "{sub}/{name} differs from synth --hard {flags:?}");
        }
    }
    for (args, message) in [
        (&["synth", "--suite"][..], "--suite needs --out-dir DIR"),
        (
            &["synth", "--suite", "--seed", "3", "--out-dir", s(&dir)],
            "--suite takes only --out-dir DIR",
        ),
    ] {
        let o = fluocount(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(text(&o.stderr).contains(message), "{}", text(&o.stderr));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn train_writes_a_model_that_count_and_eval_use_and_a_bad_model_is_refused() {
    let dir = scratch("train");
    let (images, masks) = (dir.join("images"), dir.join("masks"));
    std::fs::create_dir_all(&images).expect("dir");
    std::fs::create_dir_all(&masks).expect("dir");
    for seed in 1..=3 {
        let name = format!("s{seed}.png");
        synth(
            &images.join(&name),
            &masks.join(&name),
            seed,
            &[
                "--width", "500", "--height", "400", "--cells", "12", "--debris", "15",
            ],
        );
    }
    let model = dir.join("lab.fcmodel");
    let out = fluocount(&[
        "train",
        "--preset",
        "yellow",
        "--trees",
        "16",
        "--images",
        s(&images),
        "--masks",
        s(&masks),
        "--out",
        s(&model),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The leave-one-image-out figures: three held-out rows, then the pooled line.
    assert_eq!(
        stdout.lines().filter(|l| l.contains("/s")).count(),
        3,
        "{stdout}"
    );
    assert!(
        stdout.contains("# pooled held-out all: images=3"),
        "{stdout}"
    );
    assert!(
        stdout.contains("# model \"lab\" trained on 3 images"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&model).expect("the model");
    assert!(written.starts_with("fluocount-model 1\nname: lab\n"));
    // Counting with it: a count per image, and the objects' scores in objects.csv.
    let outdir = dir.join("out");
    let img = images.join("s1.png");
    let out = fluocount(&[
        "count",
        "--model",
        s(&model),
        "--preset",
        "yellow",
        "--out",
        s(&outdir),
        s(&img),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let objects = std::fs::read_to_string(outdir.join("objects.csv")).expect("objects.csv");
    let header = objects
        .lines()
        .find(|l| l.starts_with("Image,"))
        .expect("a column line");
    assert!(header.ends_with(",Score"));
    let rows: Vec<&str> = objects
        .lines()
        .filter(|l| l.starts_with("s1.png,"))
        .collect();
    assert!(!rows.is_empty());
    for r in &rows {
        let score: f64 = r
            .rsplit(',')
            .next()
            .and_then(|v| v.parse().ok())
            .expect("a score");
        assert!((0.0..=1.0).contains(&score), "{r}");
    }
    // A cut-off above 1 is refused.
    let out = fluocount(&["count", "--model", s(&model), "--cutoff", "2", s(&img)]);
    assert_eq!(out.status.code(), Some(2));
    // eval --model scores with it; eval --cv --learn trains in each fold.
    let out = fluocount(&[
        "eval",
        "--model",
        s(&model),
        "--preset",
        "yellow",
        "--images",
        s(&images),
        "--masks",
        s(&masks),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("# model \"lab\""));
    let out = fluocount(&[
        "eval",
        "--cv",
        "--learn",
        "--preset",
        "yellow",
        "--images",
        s(&images),
        "--masks",
        s(&masks),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plain = text(&out.stdout);
    assert!(plain.contains("# pooled held-out all: images=3"));
    assert!(!plain.contains("seeds"), "one run unless asked: {plain}");
    // --seeds 3: three runs, the first the plain run's, then their median and range.
    let mut args = vec![
        "eval",
        "--cv",
        "--learn",
        "--seeds",
        "3",
        "--preset",
        "yellow",
        "--images",
        s(&images),
        "--masks",
        s(&masks),
    ];
    let out = fluocount(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let seeded = text(&out.stdout);
    assert!(seeded.starts_with(&plain), "the plain run first: {seeded}");
    let runs: Vec<&str> = seeded
        .lines()
        .filter(|l| l.starts_with("# ") && l[2..].split(',').count() == 5)
        .filter(|l| {
            l[2..]
                .split(',')
                .next()
                .is_some_and(|v| v.parse::<u64>().is_ok())
        })
        .collect();
    assert_eq!(runs.len(), 3, "{seeded}");
    assert!(seeded.contains("# over 3 seeds: F1 median "), "{seeded}");
    for (bad, why) in [
        ("0", "--seeds must be 1 to 100"),
        ("101", "--seeds must be 1 to 100"),
    ] {
        args[4] = bad;
        let out = fluocount(&args);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains(why), "{}", text(&out.stderr));
    }
    let out = fluocount(&[
        "eval",
        "--cv",
        "--seeds",
        "3",
        "--images",
        s(&images),
        "--masks",
        s(&masks),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--seeds goes with --cv --learn"));
    // A truncated, a foreign and a missing model: a message naming the file, exit 2, no count.
    let cut = dir.join("cut.fcmodel");
    std::fs::write(&cut, &written[..written.len() / 2]).expect("write");
    let png = images.join("s2.png");
    for (bad, why) in [
        (&cut, "it is cut short"),
        (&png, "not UTF-8"),
        (&dir.join("none.fcmodel"), "cannot read"),
    ] {
        let out = fluocount(&["count", "--model", s(bad), s(&img)]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(s(bad)) && err.contains(why), "{err}");
        assert!(text(&out.stdout).is_empty());
    }
    let out = fluocount(&[
        "eval",
        "--learn",
        "--images",
        s(&images),
        "--masks",
        s(&masks),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--learn goes with --cv"));
}

/// `fluocount` with arguments that need not be UTF-8.
#[cfg(unix)]
fn fluocount_os(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fluocount"))
        .args(args)
        .output()
        .expect("runs fluocount")
}

#[cfg(unix)]
#[test]
fn hostile_names_and_files_lose_only_themselves_and_never_an_input() {
    use std::{ffi::OsStr, os::unix::ffi::OsStrExt};
    let dir = scratch("hostile");
    let good = dir.join("good.png");
    synth(
        &good,
        &dir.join("t.png"),
        3,
        &["--width", "300", "--height", "200", "--cells", "5"],
    );
    // A name that is not UTF-8, a name that begins with a dash, and a FIFO.
    let latin1 = dir.join(OsStr::from_bytes(b"bad_\xe9.png"));
    std::fs::copy(&good, &latin1).expect("copy");
    let dash = dir.join("-dash.png");
    std::fs::copy(&good, &dash).expect("copy");
    let fifo = dir.join("fifo.png");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    // The output folder holds an input (a label image must never overwrite it) and a folder where
    // good.png's label image would go (it cannot be written; the count must survive).
    let out = dir.join("out");
    std::fs::create_dir_all(out.join("good_labels.png")).expect("dir");
    let inside = out.join("img.png");
    std::fs::copy(&good, &inside).expect("copy");
    let before = std::fs::read(&inside).expect("read");
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("count"),
        OsStr::new("--out"),
        out.as_os_str(),
        good.as_os_str(),
        latin1.as_os_str(),
        inside.as_os_str(),
    ];
    if made {
        args.push(fifo.as_os_str());
    }
    args.extend([OsStr::new("--"), dash.as_os_str()]);
    let o = fluocount_os(&args);
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    // Every readable image is counted, in the order given, the FIFO refused by name.
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.ends_with(",local,") || l.contains(",yellow,"))
        .collect();
    assert_eq!(rows.len(), 4, "{stdout}");
    assert!(
        rows[0].contains("good.png") && rows[1].contains("bad_") && rows[3].contains("-dash.png")
    );
    if made {
        assert!(stderr.contains("fifo.png: not a regular file"), "{stderr}");
    }
    // good.png's label image could not be written: said with both names, and its count kept.
    assert!(
        stderr.contains("good.png: the label image") && stderr.contains("good_labels.png"),
        "{stderr}"
    );
    let summary = std::fs::read_to_string(out.join("summary.csv")).expect("summary");
    assert!(
        summary.lines().any(|l| l.starts_with("good.png,")),
        "{summary}"
    );
    // The input inside the output folder is untouched; its labels went beside it.
    assert_eq!(std::fs::read(&inside).expect("read"), before);
    assert!(out.join("img_labels.png").is_file());
    assert!(out.join("-dash_labels.png").is_file());
    assert!(
        out.join(OsStr::from_bytes(b"bad_\xe9_labels.png"))
            .is_file()
    );
}

#[test]
fn inputs_with_one_stem_get_label_images_of_their_own() {
    let dir = scratch("stems");
    let (a, b) = (dir.join("a"), dir.join("b"));
    std::fs::create_dir_all(&a).expect("dir");
    std::fs::create_dir_all(&b).expect("dir");
    synth(
        &a.join("x.png"),
        &dir.join("t1.png"),
        1,
        &["--width", "200", "--height", "150", "--cells", "2"],
    );
    synth(
        &b.join("x.png"),
        &dir.join("t2.png"),
        2,
        &["--width", "200", "--height", "150", "--cells", "4"],
    );
    let out = dir.join("out");
    let o = fluocount(&[
        "count",
        "--out",
        s(&out),
        s(&a.join("x.png")),
        s(&b.join("x.png")),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let first = image::open(out.join("x_labels.png"))
        .expect("first")
        .to_luma16();
    let second = image::open(out.join("x_labels-2.png"))
        .expect("second")
        .to_luma16();
    assert_ne!(first, second, "each input has its own label image");
}

#[test]
fn a_device_as_parameters_or_image_is_refused_not_read_forever() {
    let dir = scratch("devices");
    let good = dir.join("good.png");
    synth(
        &good,
        &dir.join("t.png"),
        3,
        &["--width", "200", "--height", "150", "--cells", "3"],
    );
    let o = fluocount(&["count", "--params", "/dev/zero", s(&good)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("/dev/zero: cannot read parameters: not a regular file"));
    let o = fluocount(&["count", "/dev/zero", s(&good)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("/dev/zero: not a regular file"));
    assert!(text(&o.stdout).contains("good.png,"));
}

#[test]
fn eval_pairs_images_and_masks_in_one_folder_and_pools_nothing_from_nothing() {
    let dir = scratch("onefolder");
    for (seed, name) in [(1, "a"), (2, "b")] {
        synth(
            &dir.join(format!("{name}.png")),
            &dir.join(format!("{name}_mask.png")),
            seed,
            &["--width", "300", "--height", "200", "--cells", "4"],
        );
    }
    let o = fluocount(&["eval", "--images", s(&dir), "--masks", s(&dir)]);
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{stderr}");
    assert!(stdout.contains("# pooled all: images=2"), "{stdout}");
    assert!(
        !stderr.contains("no mask") && !stderr.contains("no image"),
        "{stderr}"
    );
    // Only a mask of the wrong size: nothing is scored, and no F1 of 1 comes from nothing.
    let (images, masks) = (dir.join("i"), dir.join("m"));
    std::fs::create_dir_all(&images).expect("dir");
    std::fs::create_dir_all(&masks).expect("dir");
    std::fs::copy(dir.join("a.png"), images.join("a.png")).expect("copy");
    synth(
        &masks.join("a.png"),
        &dir.join("t.png"),
        3,
        &["--width", "100", "--height", "80", "--cells", "1"],
    );
    let o = fluocount(&["eval", "--images", s(&images), "--masks", s(&masks)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!text(&o.stdout).contains("pooled"));
    assert!(text(&o.stderr).contains("no image could be scored"));
}

#[test]
fn synth_refuses_settings_that_would_hang_overflow_or_make_no_sense() {
    let dir = scratch("synthlimits");
    let out = dir.join("s.png");
    for (args, why) in [
        (vec!["--cells", "4294967295"], "at most 2000 cells"),
        (vec!["--noise", "NaN"], "noise must be 0 to 40"),
        (vec!["--touching", "2"], "touching must be 0 to 1"),
        (
            vec!["--width", "20000", "--height", "20000"],
            "at most 40000000 pixels",
        ),
        (vec!["--debris", "999999"], "at most 20000 debris"),
    ] {
        let mut a = vec!["synth", "--out", s(&out)];
        a.extend(&args);
        let o = fluocount(&a);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            text(&o.stderr).contains(why),
            "{args:?}: {}",
            text(&o.stderr)
        );
    }
    let o = fluocount(&["synth", "--count", "100000", "--out-dir", s(&dir)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--count must be 1 to 10000"));
    assert!(!out.exists());
}

#[test]
fn a_multi_page_tiff_is_counted_from_page_one_with_a_note_naming_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad");
    let multi = dir.join("tiff-multipage.tif");
    let single = dir.join("tiff-gray8-none.tif");
    let out = fluocount(&["count", s(&multi), s(&single)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}: a multi-page TIFF of 3 pages: only page 1 is counted",
            multi.display()
        )),
        "{err}"
    );
    assert!(!err.contains("tiff-gray8-none.tif"), "{err}");
    let rows = text(&out.stdout);
    assert!(
        rows.lines()
            .any(|l| l.starts_with(&format!("{},", multi.display()))),
        "{rows}"
    );
}

#[test]
fn count_reads_a_calibration_and_pixel_size_overrides_it() {
    let tiff = format!(
        "{}/tests/data/imagej_calibrated.tif",
        env!("CARGO_MANIFEST_DIR")
    );
    let dir = scratch("calibration");
    let params = dir.join("params.txt");
    let yellow = fluocount(&["params", "--preset", "yellow"]);
    assert!(yellow.status.success());
    std::fs::write(
        &params,
        text(&yellow.stdout).replace("diameter=auto", "diameter=30"),
    )
    .expect("params");
    let read = |out: &Path, file: &str| -> Vec<String> {
        std::fs::read_to_string(out.join(file))
            .expect(file)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_string)
            .collect()
    };

    // From the file: ImageJ's 0.65 micron a pixel.
    let from_file = dir.join("file");
    let out = fluocount(&[
        "count",
        "--params",
        s(&params),
        "--out",
        s(&from_file),
        &tiff,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let objects = read(&from_file, "objects.csv");
    assert!(
        objects[0].starts_with("Image,Object,Area (µm²),Mean,Min,Max,X (µm),Y (µm),BX (µm)"),
        "{}",
        objects[0]
    );
    assert!(objects[0].contains(",Perim. (µm),Circ.,"));
    assert_eq!(objects.len() - 1, 14);
    let summary = read(&from_file, "summary.csv");
    assert!(summary[0].starts_with("Slice,Count,Total Area (µm²),Average Size (µm²),"));
    assert!(summary[0].ends_with(",Pixel width,Pixel height,Unit"));
    assert!(
        summary[1].ends_with(",0.6500002275000796,0.6500002275000796,µm"),
        "{}",
        summary[1]
    );
    let area = |row: &str| -> f64 {
        row.split(',')
            .nth(2)
            .and_then(|a| a.parse().ok())
            .expect(row)
    };
    let first = area(&objects[1]);

    // --pixel-size 1.3 (twice the file's) in µm: areas four times, in µm².
    let over = dir.join("over");
    let out = fluocount(&[
        "count",
        "--params",
        s(&params),
        "--pixel-size",
        "1.3",
        "--out",
        s(&over),
        &tiff,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let objects = read(&over, "objects.csv");
    assert!(objects[0].contains(",Area (µm²),"));
    let ratio = area(&objects[1]) / first;
    assert!((ratio - 4.0).abs() < 0.01, "{ratio}");
    assert!(read(&over, "summary.csv")[1].ends_with(",1.3,1.3,µm"));
    // In mm: mm² in the headers.
    let mm = dir.join("mm");
    let out = fluocount(&[
        "count",
        "--params",
        s(&params),
        "--pixel-size",
        "0.001",
        "--unit",
        "mm",
        "--out",
        s(&mm),
        &tiff,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(read(&mm, "objects.csv")[0].contains(",Area (mm²),"));

    // An uncalibrated PNG keeps today's headers, and no calibration columns.
    let (png, truth) = (dir.join("plain.png"), dir.join("truth.png"));
    synth(
        &png,
        &truth,
        3,
        &["--width", "300", "--height", "200", "--cells", "5"],
    );
    let plain = dir.join("plain");
    let out = fluocount(&["count", "--preset", "yellow", "--out", s(&plain), s(&png)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(read(&plain, "objects.csv")[0].starts_with("Image,Object,Area,Mean,"));
    assert!(read(&plain, "summary.csv")[0].ends_with(",ms,Diameter"));

    // Bad sizes and units are usage errors with a clear message.
    for (args, says) in [
        (vec!["--pixel-size", "0"], "is not a pixel size"),
        (vec!["--pixel-size", "-1"], "is not a pixel size"),
        (vec!["--pixel-size", "NaN"], "is not a pixel size"),
        (vec!["--pixel-size", "inf"], "is not a pixel size"),
        (vec!["--pixel-size", "abc"], "is not a number"),
        (vec!["--pixel-size"], "needs a value"),
        (
            vec!["--pixel-size", "1", "--unit", "furlong"],
            "is not a unit of length",
        ),
        (vec!["--unit", "um"], "--unit goes with --pixel-size"),
    ] {
        // The image first, so that a flag without its value is the last argument.
        let mut all = vec!["count", tiff.as_str()];
        all.extend(&args);
        let out = fluocount(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn page_counts_the_chosen_page_of_a_multi_page_tiff_and_refuses_one_it_lacks() {
    let dir = scratch("pages");
    // Three pages: an empty one, then two synthetic images of 9 and 4 cells.
    let (a, b) = (dir.join("a.png"), dir.join("b.png"));
    let (ta, tb) = (dir.join("ta.png"), dir.join("tb.png"));
    synth(
        &a,
        &ta,
        11,
        &["--cells", "9", "--width", "300", "--height", "200"],
    );
    synth(
        &b,
        &tb,
        12,
        &["--cells", "4", "--width", "300", "--height", "200"],
    );
    let grey = |p: &Path| {
        image::open(p)
            .expect("synthetic image")
            .to_luma8()
            .into_raw()
    };
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut t = tiff::encoder::TiffEncoder::new(&mut out).expect("tiff");
        t.write_image::<tiff::encoder::colortype::Gray8>(300, 200, &vec![0u8; 300 * 200])
            .expect("page 1");
        t.write_image::<tiff::encoder::colortype::Gray8>(300, 200, &grey(&a))
            .expect("page 2");
        t.write_image::<tiff::encoder::colortype::Gray8>(300, 200, &grey(&b))
            .expect("page 3");
    }
    let stack = dir.join("stack.tif");
    std::fs::write(&stack, out.into_inner()).expect("write");
    let count_of = |args: &[&str]| {
        let o = fluocount(args);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let rows = text(&o.stdout);
        let row = rows
            .lines()
            .find(|l| l.starts_with(s(&stack)))
            .expect("a row")
            .to_string();
        let cells: Vec<&str> = row.split(',').collect();
        (
            cells[cells.len() - 3].parse::<usize>().expect("count"),
            text(&o.stderr),
        )
    };
    let (first, note) = count_of(&["count", "--preset", "yellow", s(&stack)]);
    assert_eq!(first, 0, "page 1 is empty");
    assert!(note.contains("only page 1 is counted"), "{note}");
    let (second, note2) = count_of(&["count", "--preset", "yellow", "--page", "2", s(&stack)]);
    let (third, _) = count_of(&["count", "--preset", "yellow", "--page", "3", s(&stack)]);
    assert!(
        second > third && third > 0,
        "pages 2 and 3: {second}, {third}"
    );
    assert!(note2.contains("page 2 of 3 is counted"), "{note2}");
    let far = fluocount(&["count", "--page", "4", s(&stack)]);
    assert!(!far.status.success());
    assert!(
        text(&far.stderr).contains("page 4 was asked for; the TIFF has 3 pages"),
        "{}",
        text(&far.stderr)
    );
    let bad = fluocount(&["count", "--page", "0", s(&stack)]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad.stderr));
}
