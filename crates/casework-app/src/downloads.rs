//! Reports and work lists as files to take away: CSV and XLSX, written from the same
//! [`Table`]s the pages show, with the same permissions, and each one recorded in the
//! export log (who, when, which, with which filters, how many rows, what format).
//!
//! A CSV file holds every table of a report: a file of one table is just that table (a
//! heading row, then its rows); a file of several gives each table a row with its title
//! before its headings, and a blank line between tables. It is UTF-8 with a byte order
//! mark, so spreadsheet programs read names right. A workbook has one worksheet per table.
//!
//! Text that a spreadsheet would take for a formula (starting `=`, `+`, `-`, `@`, a tab or
//! a carriage return) is prefixed with `'` in both formats, and workbook text is always
//! written as text, never as a formula, so a hostile name cannot run in a reader's
//! spreadsheet. Counts, shares and dates are written as numbers and dates.
//!
//! A report plugs in with one line in [`App::report_tables`].

use crate::reports::AuditDrill;
use crate::work_lists::ListRequest;
use crate::{App, AppError, Result};
use casework_domain::access::{Actor, Permission};
use casework_domain::ids::{EventId, TeamId};
use casework_domain::table::{Cell, Table};
use casework_domain::text::Code;
use casework_domain::time::service_zone;
use casework_domain::timeliness::Period;
use casework_store::exports::{self, ExportEntry, ExportRecord};
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook, XlsxError};
use std::borrow::Cow;

/// The file formats a report or list can be exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// The format named in a request: `csv` or `xlsx`.
    pub fn parse(name: &str) -> Option<Format> {
        match name.trim() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// A file ready to send.
#[derive(Debug, Clone)]
pub struct Download {
    /// A plain name: letters, digits and hyphens, then the extension.
    pub filename: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Text made safe to open in a spreadsheet: one that would be read as a formula gets a
/// leading `'` (as OWASP advises for CSV injection).
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) }
}

/// Every table in one CSV file (see the module's documentation for the layout).
pub fn csv(tables: &[Table]) -> Result<Vec<u8>> {
    let failed = |e: csv::Error| AppError::Internal(format!("writing CSV: {e}"));
    let mut out = "\u{feff}".as_bytes().to_vec();
    for (index, table) in tables.iter().enumerate() {
        if index > 0 {
            out.extend_from_slice(b"\r\n");
        }
        let mut writer = csv::WriterBuilder::new().flexible(true).terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        if tables.len() > 1 {
            writer.write_record([neutralise(&table.title).as_ref()]).map_err(failed)?;
        }
        writer.write_record(table.columns.iter().map(|c| neutralise(c).into_owned())).map_err(failed)?;
        for row in &table.rows {
            writer.write_record(row.iter().map(csv_value)).map_err(failed)?;
        }
        out.extend(writer.into_inner().map_err(|e| AppError::Internal(format!("writing CSV: {e}")))?);
    }
    Ok(out)
}

fn csv_value(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => neutralise(text).into_owned(),
        Cell::Count(count) => count.to_string(),
        Cell::Percent(percent) => format!("{percent:.1}"),
        Cell::Decimal(value) => format!("{value:.1}"),
        Cell::Date(date) => date.to_string(),
        Cell::Time(at) => at.to_zoned(service_zone()).strftime("%Y-%m-%d %H:%M").to_string(),
        Cell::Empty => String::new(),
    }
}

/// Every table in one workbook, a worksheet each, named from its title.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>> {
    xlsx_workbook(tables).map_err(|e| AppError::Internal(format!("writing XLSX: {e}")))
}

fn xlsx_workbook(tables: &[Table]) -> std::result::Result<Vec<u8>, XlsxError> {
    let heading = CellFormat::new().set_bold();
    let percent = CellFormat::new().set_num_format("0.0%");
    let decimal = CellFormat::new().set_num_format("0.0");
    let date = CellFormat::new().set_num_format("d mmm yyyy");
    let time = CellFormat::new().set_num_format("d mmm yyyy hh:mm");
    let mut workbook = Workbook::new();
    let names = sheet_names(tables.iter().map(|t| t.title.as_str()));
    for (table, name) in tables.iter().zip(names) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        for (column, title) in (0u16..).zip(&table.columns) {
            sheet.write_string_with_format(0, column, neutralise(title), &heading)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (row, cells) in (1u32..).zip(&table.rows) {
            for (column, cell) in (0u16..).zip(cells) {
                match cell {
                    Cell::Text(text) => {
                        sheet.write_string(row, column, neutralise(text))?;
                    }
                    // Counts are far below 2^53, so they are exact as spreadsheet numbers.
                    #[allow(clippy::cast_precision_loss)]
                    Cell::Count(count) => {
                        sheet.write_number(row, column, *count as f64)?;
                    }
                    Cell::Percent(share) => {
                        sheet.write_number_with_format(row, column, share / 100.0, &percent)?;
                    }
                    Cell::Decimal(value) => {
                        sheet.write_number_with_format(row, column, *value, &decimal)?;
                    }
                    Cell::Date(day) => {
                        sheet.write_datetime_with_format(row, column, excel_date(*day)?, &date)?;
                    }
                    Cell::Time(at) => {
                        let local = at.to_zoned(service_zone());
                        let at = excel_date(local.date())?.and_hms(
                            u16::try_from(local.hour()).unwrap_or(0),
                            u8::try_from(local.minute()).unwrap_or(0),
                            f64::from(local.second()),
                        )?;
                        sheet.write_datetime_with_format(row, column, at, &time)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        sheet.autofit();
    }
    if tables.is_empty() {
        workbook.add_worksheet();
    }
    workbook.save_to_buffer()
}

fn excel_date(day: jiff::civil::Date) -> std::result::Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(
        u16::try_from(day.year()).unwrap_or(1900),
        u8::try_from(day.month()).unwrap_or(1),
        u8::try_from(day.day()).unwrap_or(1),
    )
}

/// Worksheet names from table titles, as Excel allows them: at most 31 characters, none of
/// `[ ] : * ? / \`, no `'` at either end, not empty, not "History" (Excel keeps it), and no
/// two alike ignoring case (a repeat gets a number). A long title of the form
/// "Something: by month" keeps its part after the colon, which tells a report's tables apart.
pub fn sheet_names<'a>(titles: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    const MAX: usize = 31;
    let clean = |text: &str| {
        let text: String =
            text.chars().map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { ' ' } else { c }).collect();
        text.split_whitespace().collect::<Vec<_>>().join(" ").trim_matches('\'').trim().to_owned()
    };
    let shorten = |text: &str, room: usize| -> String {
        let cut: String = text.chars().take(room).collect();
        cut.trim_end_matches(['\'', ' ']).to_owned()
    };
    let mut names: Vec<String> = Vec::new();
    for title in titles {
        let whole = clean(title);
        let mut base = match title.rsplit_once(": ").map(|(head, tail)| (clean(head), clean(tail))) {
            Some((head, tail)) if whole.chars().count() > MAX && !tail.is_empty() && tail.chars().count() < MAX / 2 => {
                format!("{}… {tail}", shorten(&head, MAX - 2 - tail.chars().count()))
            }
            _ => shorten(&whole, MAX),
        };
        if base.is_empty() || base.eq_ignore_ascii_case("history") {
            base = format!("Table {}", names.len() + 1);
        }
        let mut name = base.clone();
        let mut n = 2;
        while names.iter().any(|taken| taken.to_lowercase() == name.to_lowercase()) {
            let suffix = format!(" ({n})");
            let room = MAX - suffix.chars().count();
            name = format!("{}{suffix}", base.chars().take(room).collect::<String>().trim_end_matches(['\'', ' ']));
            n += 1;
        }
        names.push(name);
    }
    names
}

/// A file name from its parts: lower case letters, digits and single hyphens.
fn filename(parts: &[&str], format: Format) -> String {
    let joined = parts.join("-").to_lowercase();
    let mut name = String::new();
    for c in joined.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if !(c == '-' && (name.is_empty() || name.ends_with('-'))) {
            name.push(c);
        }
    }
    format!("{}.{}", name.trim_end_matches('-'), format.name())
}

/// Filters as the log keeps them: `name=value` pairs joined by `&`, the empty ones left out.
fn filters_text(pairs: &[(&str, Option<String>)]) -> String {
    pairs.iter().filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}={v}"))).collect::<Vec<_>>().join("&")
}

/// Rows a work list export may hold: more than any list a caseworker works from, and a
/// bound on the memory one request can take.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

impl App {
    /// The tables of one report, by its slug (as in `/services/{code}/reports/{slug}`), as
    /// the reader may see it. Each report is one line here.
    pub async fn report_tables(
        &self,
        actor: &Actor,
        service: &Code,
        report: &str,
        period: Period,
        team: Option<TeamId>,
    ) -> Result<Vec<Table>> {
        self.reportable(actor, service)?;
        Ok(match report {
            "timeliness" => self.timeliness_report(actor, service, period, team).await?.tables(),
            "waiting-list" => self.waiting_list_report(actor, service, period, team).await?.tables(),
            "caseload" => self.caseload_report(actor, service, team).await?.tables(),
            "referrals" => self.referrals_report(actor, service, period, team).await?.tables(),
            "alerts" => self.alerts_report(actor, service, period, team).await?.tables(),
            "monthly-output" => self.monthly_output_report(actor, service, period, team).await?.tables(),
            "case-file-audits" => {
                self.case_file_audit_report(actor, service, period, team, AuditDrill::default()).await?.tables()
            }
            _ => return Err(AppError::NotFound("report")),
        })
    }

    /// A report as a file, recorded in the export log.
    pub async fn export_report(
        &self,
        actor: &Actor,
        service: &Code,
        report: &str,
        period: Period,
        team: Option<TeamId>,
        format: Format,
    ) -> Result<Download> {
        let tables = self.report_tables(actor, service, report, period, team).await?;
        let filters = filters_text(&[
            ("from", Some(period.from.to_string())),
            ("to", Some(period.to.to_string())),
            ("team", team.map(|t| t.to_string())),
        ]);
        let (from, to) = (period.from.to_string(), period.to.to_string());
        let name = filename(&[service.as_str(), report, &from, "to", &to], format);
        self.export(actor, service, &format!("report {report}"), filters, &tables, format, name).await
    }

    /// A work list as a file: every case of the list the reader may see, narrowed by their
    /// filters and in their order (not one page of it), recorded in the export log.
    pub async fn export_work_list(
        &self,
        actor: &Actor,
        service: &Code,
        list: &Code,
        request: &ListRequest,
        format: Format,
    ) -> Result<Download> {
        let view = self.work_list_export(actor, service, list, request).await?;
        let chosen = &view.chosen;
        let filters = filters_text(&[
            ("stage", chosen.stage.clone()),
            ("level", chosen.level.clone()),
            ("flag", chosen.flag.clone()),
            ("worker", chosen.worker.clone()),
            ("text", chosen.text.clone()),
            ("sort", chosen.sort.clone()),
            ("order", chosen.order.clone()),
        ]);
        let today = casework_domain::time::day_of(self.now()).to_string();
        let name = filename(&[service.as_str(), list.as_str(), &today], format);
        let tables = view.tables();
        self.export(actor, service, &format!("work list {list}"), filters, &tables, format, name).await
    }

    /// Writes the file and records it, in one transaction, before it is handed over.
    #[allow(clippy::too_many_arguments)]
    async fn export(
        &self,
        actor: &Actor,
        service: &Code,
        what: &str,
        filters: String,
        tables: &[Table],
        format: Format,
        filename: String,
    ) -> Result<Download> {
        let bytes = match format {
            Format::Csv => csv(tables)?,
            Format::Xlsx => xlsx(tables)?,
        };
        let rows = tables.iter().map(|t| i64::try_from(t.rows.len()).unwrap_or(i64::MAX)).sum();
        let record = ExportRecord {
            user: actor.user,
            service: service.clone(),
            what: what.to_owned(),
            filters,
            format: format.name().to_owned(),
            rows,
            at: self.now(),
        };
        let mut tx = self.store.begin().await?;
        exports::log_export(&mut tx, &record).await?;
        tx.commit().await?;
        Ok(Download { filename, content_type: format.content_type(), bytes })
    }

    /// Who exported which report or list and when, newest first, from the services where
    /// the actor holds `audit.read`.
    pub async fn export_log(&self, actor: &Actor, before: Option<EventId>, limit: i64) -> Result<Vec<ExportEntry>> {
        let services: Vec<Code> = actor.services_with(Permission::AuditRead).into_iter().cloned().collect();
        if services.is_empty() {
            return Err(AppError::Forbidden("read the export log"));
        }
        let mut conn = self.store.read().await?;
        Ok(exports::export_log(&mut conn, &services, before, limit).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use jiff::civil::date;

    fn hostile() -> Table {
        let mut table = Table::new("People: hostile names", &["Name", "Count", "Share", "Day"]);
        for name in ["=HYPERLINK(\"http://x\",\"y\")", "@SUM(1)", "+1", "-1", "\tTab", "\rReturn", "Ann O'Neil"] {
            table.push(vec![name.into(), Cell::Count(-1), Cell::Percent(87.5), Cell::Date(date(2026, 12, 24))]);
        }
        table
    }

    #[test]
    fn text_a_spreadsheet_would_run_is_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"http://x\",\"y\")"), "'=HYPERLINK(\"http://x\",\"y\")");
        assert_eq!(neutralise("@SUM(1)"), "'@SUM(1)");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-1"), "'-1");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("\rx"), "'\rx");
        assert_eq!(neutralise("Ann O'Neil"), "Ann O'Neil");
        assert_eq!(neutralise("1-2"), "1-2");
    }

    #[test]
    fn csv_has_a_bom_neutralised_text_and_plain_numbers() {
        let bytes = csv(&[hostile()]).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'), "{text:?}");
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "Name,Count,Share,Day", "one table has no title row");
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",-1,87.5,2026-12-24");
        assert_eq!(lines[2], "'@SUM(1),-1,87.5,2026-12-24");
        assert_eq!(lines[3], "'+1,-1,87.5,2026-12-24");
        assert_eq!(lines[4], "'-1,-1,87.5,2026-12-24", "the text is neutralised, the count stays a number");
        assert_eq!(lines[5], "'\tTab,-1,87.5,2026-12-24");
        assert_eq!(lines[6], "\"'\rReturn\",-1,87.5,2026-12-24");
        assert_eq!(lines[7], "Ann O'Neil,-1,87.5,2026-12-24");
    }

    #[test]
    fn several_tables_in_one_csv_each_have_a_title_row_and_a_blank_line_between() {
        let mut first = Table::new("First", &["A"]);
        first.push(vec![Cell::Count(1)]);
        let mut second = Table::new("Second", &["B", "C"]);
        second.push(vec!["x".into(), Cell::Empty]);
        let text = String::from_utf8(csv(&[first, second]).unwrap()).unwrap();
        assert_eq!(text, "\u{feff}First\r\nA\r\n1\r\n\r\nSecond\r\nB,C\r\nx,\r\n");
    }

    #[test]
    fn xlsx_has_a_sheet_per_table_text_as_text_and_numbers_as_numbers() {
        let mut second = Table::new("People: hostile names", &["When", "Median wait (hours)"]);
        second.push(vec![Cell::Time(jiff::Timestamp::from_second(1_798_120_800).unwrap()), Cell::Decimal(27.26)]);
        let csv_text = String::from_utf8(csv(std::slice::from_ref(&second)).unwrap()).unwrap();
        assert!(csv_text.ends_with(",27.3\r\n"), "a measure to one decimal place: {csv_text:?}");
        let bytes = xlsx(&[hostile(), second]).unwrap();
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["People hostile names", "People hostile names (2)"]);
        let sheet = book.worksheet_range("People hostile names").unwrap();
        assert_eq!(sheet.get((0, 0)), Some(&Data::String("Name".into())));
        assert_eq!(sheet.get((1, 0)), Some(&Data::String("'=HYPERLINK(\"http://x\",\"y\")".into())));
        assert_eq!(sheet.get((2, 0)), Some(&Data::String("'@SUM(1)".into())));
        assert_eq!(sheet.get((4, 0)), Some(&Data::String("'-1".into())));
        assert_eq!(sheet.get((1, 1)), Some(&Data::Float(-1.0)), "a negative count stays a number");
        assert_eq!(sheet.get((1, 2)), Some(&Data::Float(0.875)), "a share is a fraction shown as a percentage");
        assert!(matches!(sheet.get((1, 3)), Some(Data::DateTime(_))), "{:?}", sheet.get((1, 3)));
        let second = book.worksheet_range("People hostile names (2)").unwrap();
        assert_eq!(second.get((1, 1)), Some(&Data::Float(27.26)), "a wait is a number a spreadsheet can average");
        let formulas = book.worksheet_formula("People hostile names").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no cell is a formula");
    }

    #[test]
    fn sheet_names_follow_excel_rules() {
        let names = sheet_names([
            "Initial assessment within 5 working days: by month",
            "Initial assessment within 5 working days: by team",
            "'Quoted'",
            "a/b\\c[d]e*f?g",
            "",
            "History",
        ]);
        assert_eq!(
            names,
            [
                "Initial assessment wi… by month",
                "Initial assessment wit… by team",
                "Quoted",
                "a b c d e f g",
                "Table 5",
                "Table 6",
            ]
        );
        assert!(names.iter().all(|n| n.chars().count() <= 31));
    }

    #[test]
    fn file_names_are_plain() {
        assert_eq!(
            filename(&["dars", "timeliness", "2026-10", "to", "2026-12"], Format::Csv),
            "dars-timeliness-2026-10-to-2026-12.csv"
        );
        assert_eq!(filename(&["a_b", "c d"], Format::Xlsx), "a-b-c-d.xlsx");
    }
}
