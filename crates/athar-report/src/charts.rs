//! The charts of a report, drawn as SVG: columns over time, bars by party or unit, and a
//! map of Syria with a circle for each governorate.
//!
//! The same SVG goes inline into the HTML report and into the PDF (where the typesetter
//! shapes its Arabic with the embedded fonts). Right-to-left reports mirror the charts:
//! time runs from right to left and labels stand on the right of their bars. Values a
//! public report withholds are drawn as a grey bar of the withheld size, without a number.

use askama::Template;

/// One value of a chart: its label, and its count or `None` when withheld (fewer than the
/// suppression threshold, which is then the bar's size).
#[derive(Debug, Clone, PartialEq)]
pub struct Datum {
    pub label: String,
    pub value: Option<usize>,
}

/// Text for a withheld value, e.g. "fewer than 5".
#[derive(Debug, Clone, Copy)]
pub struct Withheld<'a> {
    pub below: usize,
    pub text: &'a str,
}

/// At most `max` characters, the cut marked with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A step for axis ticks: 1, 2 or 5 times a power of ten, giving about four ticks.
fn tick_step(max: usize) -> usize {
    let raw = (max.max(1) as f64 / 4.0).max(1.0);
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    step.round().max(1.0) as usize
}

struct Tick {
    x: f64,
    y: f64,
    anchor: &'static str,
    text: String,
}

struct Column {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    center: f64,
    label: String,
    value: String,
    show_label: bool,
    suppressed: bool,
}

#[derive(Template)]
#[template(path = "columns.svg", escape = "html")]
struct ColumnsSvg<'a> {
    title: &'a str,
    width: f64,
    height: f64,
    plot_left: f64,
    plot_right: f64,
    baseline: f64,
    ticks: Vec<Tick>,
    bars: Vec<Column>,
    show_values: bool,
}

/// Columns over time, in the order given (earliest first); mirrored when `rtl`.
pub fn columns(title: &str, data: &[Datum], rtl: bool, withheld: Option<Withheld>) -> String {
    let (width, height) = (640.0, 240.0);
    let (top, bottom_margin, axis_margin) = (16.0, 30.0, 36.0);
    let (plot_left, plot_right) = if rtl {
        (8.0, width - axis_margin)
    } else {
        (axis_margin, width - 8.0)
    };
    let baseline = height - bottom_margin;
    let shown = |d: &Datum| d.value.unwrap_or(withheld.map_or(0, |w| w.below));
    let max = data.iter().map(shown).max().unwrap_or(0).max(1);
    let step = tick_step(max);
    let top_value = max.div_ceil(step) * step;
    let scale = (baseline - top) / top_value as f64;
    let ticks = (0..=top_value / step)
        .map(|i| {
            let value = i * step;
            Tick {
                x: if rtl {
                    plot_right + 4.0
                } else {
                    plot_left - 4.0
                },
                y: tenth(baseline - value as f64 * scale),
                anchor: if rtl { "start" } else { "end" },
                text: value.to_string(),
            }
        })
        .collect();
    let n = data.len().max(1);
    let slot = (plot_right - plot_left) / n as f64;
    // Label every k-th column so labels never collide (about 7 characters each).
    let label_every = ((n as f64 * 46.0) / (plot_right - plot_left))
        .ceil()
        .max(1.0) as usize;
    let bars = data
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let position = if rtl { n - 1 - i } else { i };
            let x = plot_left + position as f64 * slot + slot * 0.15;
            let h = shown(d) as f64 * scale;
            Column {
                x: tenth(x),
                y: tenth(baseline - h),
                width: tenth(slot * 0.7),
                height: tenth(h),
                center: tenth(x + slot * 0.35),
                label: d.label.clone(),
                value: match (d.value, withheld) {
                    (Some(v), _) => v.to_string(),
                    (None, Some(w)) => w.text.to_string(),
                    (None, None) => String::new(),
                },
                show_label: i % label_every == 0,
                suppressed: d.value.is_none(),
            }
        })
        .collect();
    ColumnsSvg {
        title,
        width,
        height,
        plot_left,
        plot_right,
        baseline,
        ticks,
        bars,
        show_values: n <= 24,
    }
    .render()
    .unwrap_or_default()
}

struct Bar {
    y: f64,
    x: f64,
    width: f64,
    value_x: f64,
    label: String,
    value: String,
    suppressed: bool,
}

#[derive(Template)]
#[template(path = "bars.svg", escape = "html")]
struct BarsSvg<'a> {
    title: &'a str,
    width: f64,
    height: f64,
    bar_height: f64,
    label_x: f64,
    rtl: bool,
    value_anchor: &'static str,
    bars: Vec<Bar>,
}

/// Horizontal bars, largest first as given; labels on the reading side.
pub fn bars(title: &str, data: &[Datum], rtl: bool, withheld: Option<Withheld>) -> String {
    let width = 640.0;
    let (row, bar_height) = (22.0, 15.0);
    let label_width = 230.0;
    let value_room = 70.0;
    let plot = width - label_width - value_room - 16.0;
    let shown = |d: &Datum| d.value.unwrap_or(withheld.map_or(0, |w| w.below));
    let max = data.iter().map(shown).max().unwrap_or(0).max(1) as f64;
    let bars = data
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let length = shown(d) as f64 / max * plot;
            let y = 6.0 + i as f64 * row;
            let (x, value_x) = if rtl {
                let right = width - label_width - 8.0;
                (right - length, right - length - 4.0)
            } else {
                let left = label_width + 8.0;
                (left, left + length + 4.0)
            };
            Bar {
                y: tenth(y),
                x: tenth(x),
                width: tenth(length),
                value_x: tenth(value_x),
                label: shorten(&d.label, 38),
                value: match (d.value, withheld) {
                    (Some(v), _) => v.to_string(),
                    (None, Some(w)) => w.text.to_string(),
                    (None, None) => String::new(),
                },
                suppressed: d.value.is_none(),
            }
        })
        .collect();
    BarsSvg {
        title,
        width,
        height: tenth(12.0 + data.len() as f64 * row),
        bar_height,
        label_x: if rtl {
            width - label_width / 2.0 - 4.0
        } else {
            label_width
        },
        rtl,
        value_anchor: if rtl { "end" } else { "start" },
        bars,
    }
    .render()
    .unwrap_or_default()
}

/// A place on the map: its name, where it is, and its count (`None` when withheld).
#[derive(Debug, Clone, PartialEq)]
pub struct MapPlace {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub value: Option<usize>,
}

struct PlacedCircle {
    x: f64,
    y: f64,
    radius: f64,
    label_x: f64,
    label_y: f64,
    name: String,
    value: String,
}

#[derive(Template)]
#[template(path = "map.svg", escape = "html")]
struct MapSvg<'a> {
    title: &'a str,
    width: f64,
    height: f64,
    outline: String,
    places: Vec<PlacedCircle>,
}

const SYRIA_OUTLINE: &str = include_str!("../../../data/maps/syria-outline.csv");

/// The outline of Syria as (longitude, latitude) vertices.
pub fn syria_outline() -> Vec<(f64, f64)> {
    SYRIA_OUTLINE
        .lines()
        .filter(|line| !line.starts_with('#') && !line.starts_with("lon"))
        .filter_map(|line| {
            let (lon, lat) = line.split_once(',')?;
            Some((lon.trim().parse().ok()?, lat.trim().parse().ok()?))
        })
        .collect()
}

/// Syria with a circle for each place, its area proportional to the count. North is up
/// in both directions of reading; a map is not mirrored.
pub fn syria_map(title: &str, places: &[MapPlace], withheld: Option<Withheld>) -> String {
    let outline = syria_outline();
    let (lon0, lon1, lat0, lat1) = (35.55, 42.55, 32.2, 37.45);
    // An equirectangular projection true to scale at Syria's middle latitude.
    let squeeze = (34.8f64).to_radians().cos();
    let width = 560.0;
    let scale = width / ((lon1 - lon0) * squeeze);
    let height = tenth((lat1 - lat0) * scale);
    let project = |lon: f64, lat: f64| {
        (
            tenth((lon - lon0) * squeeze * scale),
            tenth((lat1 - lat) * scale),
        )
    };
    let mut path = String::new();
    for (i, (lon, lat)) in outline.iter().enumerate() {
        let (x, y) = project(*lon, *lat);
        path.push_str(&format!("{}{x},{y} ", if i == 0 { "M" } else { "L" }));
    }
    path.push('Z');
    let shown = |p: &MapPlace| p.value.unwrap_or(withheld.map_or(0, |w| w.below));
    let max = places.iter().map(shown).max().unwrap_or(0).max(1) as f64;
    let max_radius = 34.0;
    let mut circles: Vec<PlacedCircle> = places
        .iter()
        .map(|p| {
            let (x, y) = project(p.lon, p.lat);
            let radius = if shown(p) == 0 {
                0.0
            } else {
                tenth((shown(p) as f64 / max).sqrt() * max_radius).max(3.0)
            };
            PlacedCircle {
                x,
                y,
                radius,
                label_x: x,
                label_y: tenth(y + radius.max(2.0) + 10.0),
                name: p.name.clone(),
                value: match (p.value, withheld) {
                    (Some(v), _) => v.to_string(),
                    (None, Some(w)) => w.text.to_string(),
                    (None, None) => String::new(),
                },
            }
        })
        .collect();
    // Large circles first, so small ones stay visible on top of them.
    circles.sort_by(|a, b| b.radius.total_cmp(&a.radius));
    place_labels(&mut circles);
    MapSvg {
        title,
        width,
        height,
        outline: path,
        places: circles,
    }
    .render()
    .unwrap_or_default()
}

/// The box a label takes, centred at (x, y): a name over a count, about 22 units high.
fn label_box(circle: &PlacedCircle, (x, y): (f64, f64)) -> (f64, f64, f64, f64) {
    let width = circle.name.chars().count().max(circle.value.len()) as f64 * 5.5 + 4.0;
    (x - width / 2.0, y - 9.0, x + width / 2.0, y + 13.0)
}

fn overlaps(a: &(f64, f64, f64, f64), b: &(f64, f64, f64, f64)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Puts each label where it covers no other place's circle and no label already placed:
/// below its circle, else above, right or left of it, largest places first. A label that
/// fits nowhere stays below.
fn place_labels(circles: &mut [PlacedCircle]) {
    let discs: Vec<(f64, f64, f64, f64)> = circles
        .iter()
        .map(|c| {
            let r = c.radius.max(2.0);
            (c.x - r, c.y - r, c.x + r, c.y + r)
        })
        .collect();
    let mut labels: Vec<(f64, f64, f64, f64)> = Vec::new();
    for (i, circle) in circles.iter_mut().enumerate() {
        let r = circle.radius.max(2.0);
        let half = label_box(circle, (0.0, 0.0)).2;
        let candidates = [
            (circle.x, circle.y + r + 10.0),
            (circle.x, circle.y - r - 14.0),
            (circle.x + r + half + 2.0, circle.y),
            (circle.x - r - half - 2.0, circle.y),
        ];
        let free = |c: &(f64, f64)| {
            let b = label_box(circle, *c);
            !labels.iter().any(|l| overlaps(&b, l))
                && !discs
                    .iter()
                    .enumerate()
                    .any(|(j, d)| j != i && overlaps(&b, d))
        };
        let chosen = candidates
            .iter()
            .copied()
            .find(free)
            .unwrap_or(candidates[0]);
        labels.push(label_box(circle, chosen));
        circle.label_x = tenth(chosen.0);
        circle.label_y = tenth(chosen.1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Vec<Datum> {
        vec![
            Datum {
                label: "2024-01".into(),
                value: Some(12),
            },
            Datum {
                label: "2024-02".into(),
                value: None,
            },
            Datum {
                label: "فرع <فلسطين> & 235".into(),
                value: Some(40),
            },
        ]
    }

    #[test]
    fn map_labels_do_not_overlap_when_there_is_room() {
        // The south-west as the gazetteer places it: Quneitra's and Daraa's labels meet
        // when both are put under their circles.
        let places: Vec<MapPlace> = [
            ("دمشق", 33.51667, 36.28333, 152),
            ("القنيطرة", 33.03333, 35.78333, 3),
            ("درعا", 32.85, 36.21667, 96),
            ("السويداء", 32.76667, 36.85, 10),
            ("اللاذقية", 35.56667, 36.03333, 28),
        ]
        .iter()
        .map(|(name, lat, lon, n)| MapPlace {
            name: (*name).into(),
            lat: *lat,
            lon: *lon,
            value: Some(*n),
        })
        .collect();
        let svg = syria_map("m", &places, None);
        let number = |text: &str, attr: &str| -> f64 {
            text.split(&format!("{attr}=\""))
                .nth(1)
                .and_then(|t| t.split('"').next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(f64::NAN)
        };
        let discs: Vec<(f64, f64, f64)> = svg
            .split("<circle ")
            .skip(1)
            .map(|c| (number(c, "cx"), number(c, "cy"), number(c, "r")))
            .collect();
        let labels: Vec<(f64, f64, usize)> = svg
            .split("<text ")
            .skip(1)
            .filter_map(|t| {
                let text = t.split('>').nth(1)?.split('<').next()?;
                text.chars()
                    .any(char::is_alphabetic)
                    .then(|| (number(t, "x"), number(t, "y"), text.chars().count()))
            })
            .collect();
        assert_eq!((labels.len(), discs.len()), (5, 5), "{svg}");
        let boxed = |(x, y, n): (f64, f64, usize)| {
            let half = n as f64 * 2.75 + 2.0;
            (x - half, y - 9.0, x + half, y + 13.0)
        };
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                assert!(
                    !overlaps(&boxed(*a), &boxed(*b)),
                    "labels collide: {a:?} {b:?}"
                );
            }
            // No label sits on another place's circle (the map draws the circles, then
            // the labels, in the same order).
            let covered = discs
                .iter()
                .enumerate()
                .filter(|(j, (x, y, r))| {
                    *j != i && overlaps(&boxed(*a), &(x - r, y - r, x + r, y + r))
                })
                .count();
            assert_eq!(covered, 0, "the label {a:?} covers another place's circle");
        }
    }

    #[test]
    fn tick_steps_are_round() {
        assert_eq!(tick_step(1), 1);
        assert_eq!(tick_step(7), 2);
        assert_eq!(tick_step(40), 10);
        assert_eq!(tick_step(1236), 500);
    }

    #[test]
    fn charts_escape_labels_and_show_withheld_values_without_a_number() {
        let withheld = Withheld {
            below: 5,
            text: "fewer than 5",
        };
        for svg in [
            columns("t", &data(), false, Some(withheld)),
            bars("t", &data(), true, Some(withheld)),
        ] {
            assert!(svg.starts_with("<svg"), "{svg}");
            assert!(
                svg.contains("فرع &#60;فلسطين&#62; &#38; 235")
                    || svg.contains("فرع &lt;فلسطين&gt; &amp; 235"),
                "{svg}"
            );
            assert!(svg.contains(">40<"));
            assert!(svg.contains("fewer than 5"));
            assert!(svg.contains(">12<"));
            assert_eq!(svg.matches("fill=\"#bdbdbd\"").count(), 1);
        }
    }

    #[test]
    fn right_to_left_columns_run_from_the_right() {
        let ltr = columns("t", &data(), false, None);
        let rtl = columns("t", &data(), true, None);
        let first_x = |svg: &str| -> f64 {
            let at = svg.find("<rect x=\"").map(|i| i + 9).unwrap_or(0);
            svg[at..]
                .split('"')
                .next()
                .unwrap_or("0")
                .parse()
                .unwrap_or(-1.0)
        };
        assert!(first_x(&ltr) < 100.0);
        assert!(first_x(&rtl) > 400.0);
    }

    #[test]
    fn the_map_places_damascus_south_west_of_aleppo_and_scales_circles_by_area() {
        let outline = syria_outline();
        assert!(outline.len() > 100);
        let places = [
            MapPlace {
                name: "Damascus".into(),
                lat: 33.51,
                lon: 36.28,
                value: Some(100),
            },
            MapPlace {
                name: "Aleppo".into(),
                lat: 36.25,
                lon: 37.61,
                value: Some(25),
            },
        ];
        let svg = syria_map("m", &places, None);
        let circle = |name: &str| -> (f64, f64, f64) {
            let at = svg.find(&format!("<title>{name}:")).unwrap_or(0);
            let head = &svg[..at];
            let start = head.rfind("<circle").unwrap_or(0);
            let attr = |a: &str| -> f64 {
                let from = head[start..].find(&format!("{a}=\"")).unwrap_or(0) + a.len() + 2;
                head[start + from..]
                    .split('"')
                    .next()
                    .unwrap_or("0")
                    .parse()
                    .unwrap_or(0.0)
            };
            (attr("cx"), attr("cy"), attr("r"))
        };
        let (dx, dy, dr) = circle("Damascus");
        let (ax, ay, ar) = circle("Aleppo");
        assert!(
            dx < ax && dy > ay,
            "Damascus ({dx},{dy}) Aleppo ({ax},{ay})"
        );
        // A quarter of the count: half the radius.
        assert!((ar / dr - 0.5).abs() < 0.02, "{ar} {dr}");
    }
}
