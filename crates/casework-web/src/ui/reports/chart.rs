//! Bar charts drawn on the server as SVG geometry for the templates `chart_columns.html`
//! (one upright bar per month, say) and `chart_bars.html` (one horizontal bar per worker,
//! say). Each chart is a picture of the data table that follows it, so it carries no
//! figure the table does not; the templates give it `role="img"`, a title and a description.

/// The width of every chart's view box.
pub(super) const WIDTH: u32 = 640;
/// Where the plot begins, leaving room for the axis labels.
const LEFT: u32 = 48;
const TOP: u32 = 16;
const BOTTOM: u32 = 216;

pub(super) struct Column {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// Where the label and the value are centred.
    pub middle: u32,
    pub label: String,
    pub value: u32,
}

pub(super) struct Tick {
    pub y: u32,
    pub value: u32,
}

pub(super) struct ColumnChart {
    pub columns: Vec<Column>,
    pub ticks: Vec<Tick>,
}

/// A round maximum so the ticks read as whole numbers.
fn scale_max(largest: u32) -> u32 {
    let largest = largest.max(1);
    let step = if largest <= 5 { 1 } else { largest.div_ceil(5) };
    step * largest.div_ceil(step)
}

/// Upright bars, one per item, with a scale on the left.
pub(super) fn columns(items: &[(String, u32)]) -> ColumnChart {
    let max = scale_max(items.iter().map(|(_, v)| *v).max().unwrap_or(0));
    let plot_height = BOTTOM - TOP;
    let slots = u32::try_from(items.len()).unwrap_or(1).max(1);
    let slot = (WIDTH - LEFT - 8) / slots;
    let width = (slot * 3 / 5).max(4);
    let columns = items
        .iter()
        .zip(0u32..)
        .map(|((label, value), i)| {
            let x = LEFT + i * slot + (slot - width) / 2;
            let height = value * plot_height / max;
            Column { x, y: BOTTOM - height, width, height, middle: x + width / 2, label: label.clone(), value: *value }
        })
        .collect();
    let step = if max <= 5 { 1 } else { max / 5 };
    let ticks = (0..=max / step).map(|k| Tick { y: BOTTOM - k * step * plot_height / max, value: k * step }).collect();
    ColumnChart { columns, ticks }
}

pub(super) struct Bar {
    /// The top of the bar; its label sits at `text_y`.
    pub y: u32,
    pub text_y: u32,
    pub width: u32,
    /// Where the value is written, just past the bar's end.
    pub value_x: u32,
    pub label: String,
    pub value: u32,
}

pub(super) struct BarChart {
    pub bars: Vec<Bar>,
    /// The view box's height: one row per bar.
    pub height: u32,
    /// Where the bars begin (the labels are right-aligned just before it).
    pub left: u32,
}

const ROW: u32 = 28;
const BAR_LEFT: u32 = 200;

/// Horizontal bars, one per item, labelled on the left with the value at the end.
pub(super) fn bars(items: &[(String, u32)]) -> BarChart {
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let room = WIDTH - BAR_LEFT - 48;
    let bars = items
        .iter()
        .zip(0u32..)
        .map(|((label, value), i)| {
            let width = value * room / max;
            let y = 8 + i * ROW;
            Bar { y, text_y: y + 14, width, value_x: BAR_LEFT + width + 6, label: label.clone(), value: *value }
        })
        .collect();
    BarChart { bars, height: 16 + u32::try_from(items.len()).unwrap_or(0) * ROW, left: BAR_LEFT }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tallest_item_fills_the_plot_and_the_rest_scale_to_it() {
        let chart = columns(&[("Dec".to_owned(), 2), ("Jan".to_owned(), 4), ("Feb".to_owned(), 0)]);
        assert_eq!(chart.columns[1].height, BOTTOM - TOP);
        assert_eq!(chart.columns[0].height, (BOTTOM - TOP) / 2);
        assert_eq!(chart.columns[2].height, 0);
        assert_eq!(chart.ticks.iter().map(|t| t.value).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
        let chart = bars(&[("Ann".to_owned(), 6), ("Bob".to_owned(), 3)]);
        assert_eq!(chart.bars[0].width, 2 * chart.bars[1].width);
        assert_eq!(chart.height, 16 + 2 * ROW);
    }
}
