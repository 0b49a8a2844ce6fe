use fluocount::count::{Params, pipeline::analyze, presets::Collection};
use fluocount::imaging::decode::{DecodeLimits, decode};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).unwrap();
    let img = decode(&bytes, &DecodeLimits::default()).unwrap();
    let params = if args[2] == "red" {
        Collection::Red.preset()
    } else {
        Params::from_query(&args[2]).0
    };
    let a = analyze(&img, &params);
    println!(
        "diameter {} est {} count {} level {:?}",
        a.diameter,
        a.diameter_estimated,
        a.objects.len(),
        a.level
    );
    let pts: Vec<(f64, f64)> = args[3..]
        .iter()
        .map(|s| {
            let v: Vec<f64> = s.split(',').map(|x| x.parse().unwrap()).collect();
            (v[0], v[1])
        })
        .collect();
    for (x, y) in pts {
        for (i, o) in a.rejected_objects.iter().enumerate() {
            if (o.x - x).abs() < 60.0 && (o.y - y).abs() < 60.0 {
                let b = &a.rejected_bodies[i];
                println!(
                    "({x},{y}) REJ {:?} area {} mean {:.1} thick {:.2} elong {:.2} blob {:.2} bright {:.2} ring {:.2}",
                    a.rejected_why[i],
                    o.area,
                    o.mean,
                    b.thickness,
                    b.elongation,
                    b.blob,
                    b.brightness,
                    b.ring
                );
            }
        }
        for (i, o) in a.objects.iter().enumerate() {
            if (o.x - x).abs() < 60.0 && (o.y - y).abs() < 60.0 {
                let b = &a.bodies[i];
                println!(
                    "({x},{y}) KEPT area {} mean {:.1} thick {:.2} elong {:.2} blob {:.2} bright {:.2} ring {:.2}",
                    o.area, o.mean, b.thickness, b.elongation, b.blob, b.brightness, b.ring
                );
            }
        }
    }
}
