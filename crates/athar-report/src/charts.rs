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

/// A label in lines of at most about `max` characters, broken between words: a long unit
/// name ("الأمن العسكري — فرع السرية 215 (فرع المداهمة)") is shown whole, never cut. A
/// single word longer than a line keeps a line of its own.
fn wrap(text: &str, max: usize) -> Vec<String> {
    // A bracketed part ("(فرع المداهمة)") stays on one line when it fits one: split over
    // two lines its brackets would stand apart.
    let mut units: Vec<String> = Vec::new();
    let mut open = false;
    for word in text.split_whitespace() {
        match units.last_mut() {
            Some(last) if open && last.chars().count() + 1 + word.chars().count() <= max => {
                last.push(' ');
                last.push_str(word);
            }
            _ => units.push(word.to_string()),
        }
        if word.starts_with('(') {
            open = true;
        }
        if word.ends_with(')') {
            open = false;
        }
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in &units {
        let fits = line.chars().count() + 1 + word.chars().count() <= max;
        if line.is_empty() || fits {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        } else {
            lines.push(std::mem::take(&mut line));
            line.push_str(word);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
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
    /// The whole label, for the tooltip.
    label: String,
    /// The label's lines with their baselines.
    lines: Vec<(String, f64)>,
    /// The baseline of the value, level with the bar.
    value_y: f64,
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

/// How many characters of a bar's label go on one line (the label column is 230 units
/// wide at 11 units a character's height).
const LABEL_CHARS: usize = 38;

/// Horizontal bars, largest first as given; labels on the reading side, whole, on as
/// many lines as they need.
pub fn bars(title: &str, data: &[Datum], rtl: bool, withheld: Option<Withheld>) -> String {
    let width = 640.0;
    let (row, bar_height) = (22.0, 15.0);
    let label_width = 230.0;
    let value_room = 70.0;
    let plot = width - label_width - value_room - 16.0;
    let shown = |d: &Datum| d.value.unwrap_or(withheld.map_or(0, |w| w.below));
    let max = data.iter().map(shown).max().unwrap_or(0).max(1) as f64;
    // A label of several lines makes its row taller; the bar stays level with its first
    // line.
    let line_height = 12.0;
    let mut y = 6.0;
    let bars: Vec<Bar> = data
        .iter()
        .map(|d| {
            let length = shown(d) as f64 / max * plot;
            let lines = wrap(&d.label, LABEL_CHARS);
            let extra = (lines.len() - 1) as f64 * line_height;
            let top = y;
            y += row + extra;
            let y = top;
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
                label: d.label.clone(),
                lines: lines
                    .into_iter()
                    .enumerate()
                    .map(|(k, l)| (l, tenth(y + bar_height * 0.72 + k as f64 * line_height)))
                    .collect(),
                value_y: tenth(y + bar_height * 0.72),
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
        height: tenth(y + 6.0),
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
    // A margin west of the coast and south of the Hauran, so the labels of Latakia,
    // Quneitra and Daraa fit on the map beside their circles.
    let (lon0, lon1, lat0, lat1) = (35.0, 42.55, 32.0, 37.45);
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
    place_labels(&mut circles, (width, height));
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

/// Puts each label inside the map (a label at the coast or the border is moved in, never
/// cut off) where it covers no other place's circle and no label already placed: below its
/// circle, else above, right, left or at a corner of it, largest places first. A label that
/// fits nowhere goes where it covers the fewest circles and labels; the map draws labels
/// over a light halo, so a circle never hides one.
fn place_labels(circles: &mut [PlacedCircle], (width, height): (f64, f64)) {
    let discs: Vec<(f64, f64, f64, f64)> = circles
        .iter()
        .map(|c| {
            let r = c.radius.max(2.0);
            (c.x - r, c.y - r, c.x + r, c.y + r)
        })
        .collect();
    let mut labels: Vec<(f64, f64, f64, f64)> = Vec::new();
    for circle in circles.iter_mut() {
        let r = circle.radius.max(2.0);
        let half = label_box(circle, (0.0, 0.0)).2;
        let diagonal = r * std::f64::consts::FRAC_1_SQRT_2;
        // Inside the map: the box (x ± half, y − 9 … y + 13) within the canvas.
        let inside = |(x, y): (f64, f64)| {
            (
                x.clamp(half + 2.0, (width - half - 2.0).max(half + 2.0)),
                y.clamp(11.0, (height - 15.0).max(11.0)),
            )
        };
        // Around the circle, nearest first: below, above, right, left, then the corners,
        // then the same a little further out.
        let mut candidates: Vec<(f64, f64)> = Vec::new();
        for gap in [0.0, 14.0, 30.0] {
            let d = diagonal + gap * std::f64::consts::FRAC_1_SQRT_2;
            candidates.extend([
                (circle.x, circle.y + r + 10.0 + gap),
                (circle.x, circle.y - r - 14.0 - gap),
                (circle.x + r + half + 2.0 + gap, circle.y),
                (circle.x - r - half - 2.0 - gap, circle.y),
                (circle.x + d + half, circle.y + d + 10.0),
                (circle.x - d - half, circle.y + d + 10.0),
                (circle.x + d + half, circle.y - d - 14.0),
                (circle.x - d - half, circle.y - d - 14.0),
            ]);
        }
        let candidates: Vec<(f64, f64)> = candidates.into_iter().map(inside).collect();
        // How many circles (its own included) and labels a place for the label covers.
        let covers = |c: &(f64, f64)| {
            let b = label_box(circle, *c);
            labels.iter().filter(|l| overlaps(&b, l)).count()
                + discs.iter().filter(|d| overlaps(&b, d)).count()
        };
        let chosen = candidates
            .iter()
            .copied()
            .min_by_key(|c| covers(c))
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
    fn map_labels_stay_on_the_map_and_do_not_overlap_when_there_is_room() {
        // The south-west as the gazetteer places it: Quneitra's and Daraa's labels meet
        // when both are put under their circles, and Latakia's and Quneitra's left the
        // map at its western edge.
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
        // Every label lies inside the map: none is cut off at the coast or the border.
        let (width, height) = (number(&svg, "width"), number(&svg, "height"));
        for label in &labels {
            let (left, top, right, bottom) = boxed(*label);
            assert!(
                left >= 0.0 && top >= 0.0 && right <= width && bottom <= height,
                "the label {label:?} leaves the {width}×{height} map"
            );
        }
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
    fn long_labels_wrap_between_words_and_keep_brackets_together() {
        let name = "الأمن العسكري — فرع السرية 215 (فرع المداهمة)";
        let lines = wrap(name, 30);
        assert_eq!(lines.join(" "), name, "nothing is cut");
        assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
        assert!(lines.iter().any(|l| l == "(فرع المداهمة)"), "{lines:?}");
        assert_eq!(wrap("short", 38), ["short"]);
        // A bar chart shows the whole name, on two lines, and no ellipsis.
        let svg = bars(
            "t",
            &[Datum {
                label: name.into(),
                value: Some(7),
            }],
            true,
            None,
        );
        assert!(!svg.contains('…'), "{svg}");
        assert!(svg.contains("(فرع المداهمة)"), "{svg}");
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
