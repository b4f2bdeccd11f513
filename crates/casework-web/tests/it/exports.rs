//! Exports of reports and work lists as CSV and XLSX: the same figures as the JSON report,
//! numbers as numbers, hostile names neutralised, the same permissions as the pages, and
//! every export in the export log. On the fixed scene of the timeliness report (see
//! `reports::scene`): North holds A, B, E and F; South holds C, D and G.

use crate::harness::{Client, PageUser};
use crate::reports::{Scene, TIMER, scene};
use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PERIOD: &str = "from=2026-12&to=2027-01";

/// The rows of a CSV file after its byte order mark, every field as text.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap_or_else(|| panic!("CSV starts with a byte order mark: {text:?}"));
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn workbook(bytes: Vec<u8>) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).map_or("", |v| v.to_str().unwrap())
}

/// A row of the JSON report as the CSV writes it: label, five counts, share within target.
fn json_row(label: &str, row: &Value) -> Vec<String> {
    let mut cells = vec![label.to_owned()];
    for key in ["met", "met_late", "breached", "paused", "running"] {
        cells.push(row[key].as_u64().unwrap().to_string());
    }
    cells.push(row["within_target_percent"].as_f64().map_or_else(String::new, |p| format!("{p:.1}")));
    cells
}

/// Fetches a page's download with the page user's session.
async fn page_download(user: &PageUser, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let answer = reqwest::Client::new().get(format!("{}{path}", user.base)).header("cookie", &user.cookie).send().await.unwrap();
    let status = answer.status();
    let headers = answer.headers().clone();
    (status, headers, answer.bytes().await.unwrap().to_vec())
}

/// Opens a case in Outreach for someone whose given name is a spreadsheet formula.
async fn hostile_case(manager: &Client) -> Value {
    let answer = manager
        .post(
            "/api/v1/cases",
            json!({
                "service": "outreach",
                "source": "staff",
                "summary": "Asked for support",
                "person": { "given_name": "=HYPERLINK(\"http://x\",\"y\")", "family_name": "Hostile" },
            }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    answer.body
}

#[tokio::test]
async fn a_reports_csv_says_what_its_json_says_and_its_workbook_holds_numbers() {
    let Scene { server, .. } = scene().await;
    let manager = server.sign_in("manager").await;
    let report = manager.get(&format!("/api/v1/services/outreach/reports/timeliness?{PERIOD}")).await;
    assert_eq!(report.status, StatusCode::OK, "{report:?}");
    let timer = &report.body["timers"][0];
    assert_eq!(timer["code"], TIMER);

    let (status, headers, bytes) =
        manager.download(&format!("/api/v1/services/outreach/reports/timeliness/export?format=csv&{PERIOD}")).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(header(&headers, "content-type"), "text/csv; charset=utf-8");
    assert_eq!(header(&headers, "content-disposition"), "attachment; filename=\"outreach-timeliness-2026-12-to-2027-01.csv\"");
    assert_eq!(header(&headers, "cache-control"), "no-store");

    // Three tables, each under its title, a blank line between them.
    let headings = ["Met within target", "Met late", "Breached, still open", "Paused", "Running", "Within target"];
    let with = |first: &str| std::iter::once(first).chain(headings).map(str::to_owned).collect::<Vec<_>>();
    let mut expected = vec![vec!["Assessed within 5 working days: by month".to_owned()], with("Month")];
    expected.push(json_row("December 2026", &timer["months"][0]));
    expected.push(json_row("January 2027", &timer["months"][1]));
    expected.push(json_row("Whole period", &timer["total"]));
    expected.push(vec!["Assessed within 5 working days: by team".to_owned()]);
    expected.push(with("Team"));
    for team in timer["by_team"].as_array().unwrap() {
        expected.push(json_row(team["name"].as_str().unwrap(), team));
    }
    expected.push(vec!["Assessed within 5 working days: by worker".to_owned()]);
    expected.push(with("Worker"));
    for worker in timer["by_worker"].as_array().unwrap() {
        expected.push(json_row(worker["name"].as_str().unwrap(), worker));
    }
    // The csv reader skips blank lines; check they are there before comparing the rows.
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert_eq!(text.matches("\r\n\r\n").count(), 2, "{text}");
    assert_eq!(csv_rows(&bytes), expected);
    // The hand-counted figures, as in the report's own test.
    assert_eq!(expected[2], ["December 2026", "2", "0", "0", "0", "0", "100.0"]);
    assert_eq!(expected[4], ["Whole period", "2", "1", "2", "1", "1", "40.0"]);

    let (status, headers, bytes) =
        manager.download(&format!("/api/v1/services/outreach/reports/timeliness/export?format=xlsx&{PERIOD}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-type"), XLSX);
    assert!(header(&headers, "content-disposition").ends_with("filename=\"outreach-timeliness-2026-12-to-2027-01.xlsx\""));
    let mut book = workbook(bytes);
    assert_eq!(
        book.sheet_names(),
        ["Assessed within 5 wor… by month", "Assessed within 5 work… by team", "Assessed within 5 wo… by worker"]
    );
    let months = book.worksheet_range("Assessed within 5 wor… by month").unwrap();
    assert_eq!(months.get((0, 0)), Some(&Data::String("Month".into())));
    assert_eq!(months.get((1, 0)), Some(&Data::String("December 2026".into())));
    assert_eq!(months.get((1, 1)), Some(&Data::Float(2.0)), "counts are numbers");
    assert_eq!(months.get((1, 6)), Some(&Data::Float(1.0)), "100 % is the number 1, shown as a percentage");
    assert_eq!(months.get((3, 0)), Some(&Data::String("Whole period".into())));
    assert_eq!(months.get((3, 3)), Some(&Data::Float(2.0)));
    assert_eq!(months.get((3, 6)), Some(&Data::Float(0.4)));

    // The same files from the report's page, which links to them with its filters.
    let page_user = server.page_user("manager").await;
    let (status, page) = page_user.get(&format!("/services/outreach/reports/timeliness?{PERIOD}")).await;
    assert_eq!(status, StatusCode::OK);
    let link = "/services/outreach/reports/timeliness/export?format=csv&amp;from=2026-12&amp;to=2027-01&amp;team=";
    assert!(page.contains(&format!("href=\"{link}\" download>Download CSV</a>")), "{page}");
    assert!(page.contains("Download spreadsheet (XLSX)</a>"));
    let (status, _, from_page) = page_download(&page_user, &link.replace("&amp;", "&")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(csv_rows(&from_page), expected);

    // A format or period that cannot be read is named.
    let bad = manager.get(&format!("/api/v1/services/outreach/reports/timeliness/export?format=pdf&{PERIOD}")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), ["format"]);
    let bad = manager.get("/api/v1/services/outreach/reports/timeliness/export?format=csv&from=2027-02&to=2026-12").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), ["to"]);
}

#[tokio::test]
async fn a_hostile_name_is_neutralised_in_both_formats_of_a_work_list() {
    let Scene { server, references, .. } = scene().await;
    let manager = server.sign_in("manager").await;
    let hostile = hostile_case(&manager).await;
    let reference = hostile["reference"].as_str().unwrap();

    let (status, headers, bytes) = manager.download("/api/v1/work-lists/outreach/open/export?format=csv&sort=reference").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    assert!(header(&headers, "content-disposition").starts_with("attachment; filename=\"outreach-open-2027-01-20.csv\""));
    assert_eq!(header(&headers, "cache-control"), "no-store");
    let rows = csv_rows(&bytes);
    assert_eq!(rows[0], ["Reference", "Person", "Stage", "Level", "Opened", "Worker", "Flags", "Next deadline", "Due"]);
    assert_eq!(rows.len(), 1 + 8, "the seven cases of the scene and the hostile one, in one file");
    let row = rows.iter().find(|r| r[0] == reference).unwrap();
    assert_eq!(row[1], "'=HYPERLINK(\"http://x\",\"y\") Hostile");
    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.contains(",=") && !text.contains("\"=") && !text.contains("\n="), "{text}");
    // The other columns, for a case of the scene: A was assessed on time and is North's.
    let a = rows.iter().find(|r| r[0] == references["A"]).unwrap();
    assert_eq!(&a[1..7], ["Sam PersonA", "Assessed", "", "2026-12-02", "Test north-worker", ""]);

    let (status, _, bytes) = manager.download("/api/v1/work-lists/outreach/open/export?format=xlsx&sort=reference").await;
    assert_eq!(status, StatusCode::OK);
    let mut book = workbook(bytes);
    assert_eq!(book.sheet_names(), ["Open cases"]);
    let sheet = book.worksheet_range("Open cases").unwrap();
    let row = (1..sheet.height()).find(|r| sheet.get((*r, 0)) == Some(&Data::String(reference.to_owned()))).unwrap();
    assert_eq!(sheet.get((row, 1)), Some(&Data::String("'=HYPERLINK(\"http://x\",\"y\") Hostile".into())));
    assert!(matches!(sheet.get((row, 4)), Some(Data::DateTime(_))), "opened is a date: {:?}", sheet.get((row, 4)));
    let formulas = book.worksheet_formula("Open cases").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no cell is a formula");

    // From the list's page, with its filters: only North's worker's cases.
    let page_user = server.page_user("manager").await;
    let (status, page) = page_user.get("/work-lists/outreach/open").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("href=\"/work-lists/outreach/open/export?format=csv"), "{page}");
    assert!(page.contains("Download spreadsheet (XLSX)</a>"));
    let north_worker = server.sign_in("north-worker").await.id();
    let (status, _, bytes) =
        page_download(&page_user, &format!("/work-lists/outreach/open/export?format=csv&worker={north_worker}")).await;
    assert_eq!(status, StatusCode::OK);
    let mut listed: Vec<String> = csv_rows(&bytes).into_iter().skip(1).map(|r| r[0].clone()).collect();
    listed.sort();
    let mut north: Vec<String> = ["A", "B", "E", "F"].iter().map(|n| references[n].clone()).collect();
    north.sort();
    assert_eq!(listed, north);
}

#[tokio::test]
async fn exports_obey_the_pages_permissions() {
    let Scene { server, north, references } = scene().await;
    let report = format!("/api/v1/services/outreach/reports/timeliness/export?format=csv&{PERIOD}");
    // A worker of the service without reports.read is refused the report, in the API and
    // from the page, but may export the work list (their own cases only).
    let worker = server.sign_in("north-worker").await;
    assert_eq!(worker.download(&report).await.0, StatusCode::FORBIDDEN);
    let worker_pages = server.page_user("north-worker").await;
    let (status, _, _) =
        page_download(&worker_pages, &format!("/services/outreach/reports/timeliness/export?format=xlsx&{PERIOD}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, bytes) = worker.download("/api/v1/work-lists/outreach/open/export?format=csv").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(csv_rows(&bytes).len(), 1 + 4, "the north worker's own four cases");

    // Someone of another service is told there is no such report or list.
    let stranger = server.user("stranger", &["recovery:support-worker"]).await;
    assert_eq!(stranger.download(&report).await.0, StatusCode::NOT_FOUND);
    assert_eq!(stranger.download("/api/v1/work-lists/outreach/open/export?format=csv").await.0, StatusCode::NOT_FOUND);
    let manager = server.sign_in("manager").await;
    assert_eq!(manager.download("/api/v1/services/outreach/reports/nothing/export?format=csv").await.0, StatusCode::NOT_FOUND);
    assert_eq!(manager.download("/api/v1/work-lists/outreach/nothing/export?format=csv").await.0, StatusCode::NOT_FOUND);

    // A team leader of North exports North's cases only.
    let leader = server.user("north-leader", &["outreach:team-leader"]).await;
    let system = casework_app::users::system_actor();
    server.app.add_team_member(&system, north.parse().unwrap(), leader.id().parse().unwrap()).await.unwrap();
    let leader = server.sign_in("north-leader").await;
    let (status, _, bytes) = leader.download(&report).await;
    assert_eq!(status, StatusCode::OK);
    let rows = csv_rows(&bytes);
    assert!(rows.contains(&vec![
        "Whole period".into(),
        "2".into(),
        "0".into(),
        "1".into(),
        "1".into(),
        "0".into(),
        "66.7".into()
    ]));
    assert!(rows.iter().any(|r| r[0] == "North"));
    assert!(!rows.iter().any(|r| r[0] == "South" || r[0] == "Test south-worker"), "{rows:?}");
    let (status, _, bytes) = leader.download("/api/v1/work-lists/outreach/open/export?format=csv").await;
    assert_eq!(status, StatusCode::OK);
    let listed: Vec<String> = csv_rows(&bytes).into_iter().skip(1).map(|r| r[0].clone()).collect();
    for name in ["A", "B", "E", "F"] {
        assert!(listed.contains(&references[name]), "{name} is North's");
    }
    for name in ["C", "D", "G"] {
        assert!(!listed.contains(&references[name]), "{name} is South's");
    }
}

#[tokio::test]
async fn every_export_is_in_the_export_log() {
    let Scene { server, north, .. } = scene().await;
    let manager = server.sign_in("manager").await;
    let (status, _, _) =
        manager.download(&format!("/api/v1/services/outreach/reports/timeliness/export?format=xlsx&{PERIOD}&team={north}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = manager.download("/api/v1/work-lists/outreach/open/export?format=csv&stage=assessed").await;
    assert_eq!(status, StatusCode::OK);
    // A refused export is not an export.
    let worker = server.sign_in("north-worker").await;
    assert_eq!(
        worker.download(&format!("/api/v1/services/outreach/reports/timeliness/export?format=csv&{PERIOD}")).await.0,
        StatusCode::FORBIDDEN
    );

    let auditor = server.user("auditor", &["outreach:auditor"]).await;
    let log = auditor.get("/api/v1/export-log").await;
    assert_eq!(log.status, StatusCode::OK, "{log:?}");
    let items = log.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{items:?}");
    // Newest first: the work list (A, B and C are assessed), then the report of North's
    // one timer (three tables: two months and the period, North, its worker).
    assert_eq!(items[0]["username"], "manager");
    assert_eq!(items[0]["service"], "outreach");
    assert_eq!(items[0]["what"], "work list open");
    assert_eq!(items[0]["filters"], "stage=assessed");
    assert_eq!(items[0]["format"], "csv");
    assert_eq!(items[0]["rows"], 3);
    assert_eq!(items[0]["at"], "2027-01-20T12:00:00Z");
    assert_eq!(items[1]["what"], "report timeliness");
    assert_eq!(items[1]["filters"], format!("from=2026-12&to=2027-01&team={north}"));
    assert_eq!(items[1]["format"], "xlsx");
    assert_eq!(items[1]["rows"], 3 + 1 + 1);

    // The audit page lists them; those who may not audit are refused the log.
    let auditor_pages = server.page_user("auditor").await;
    let (status, page) = auditor_pages.get("/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<td class=\"govuk-table__cell\">work list open</td>"), "{page}");
    assert!(page.contains("<td class=\"govuk-table__cell\">report timeliness</td>"));
    assert_eq!(manager.get("/api/v1/export-log").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_report_on_the_index_exports_in_both_formats_with_the_tables_its_page_shows() {
    let Scene { server, .. } = scene().await;
    let manager_pages = server.page_user("manager").await;
    let (status, index) = manager_pages.get("/services/outreach/reports").await;
    assert_eq!(status, StatusCode::OK);
    let prefix = "href=\"/services/outreach/reports/";
    let reports: Vec<&str> =
        index.split(prefix).skip(1).map(|rest| &rest[..rest.find('"').unwrap()]).filter(|slug| !slug.contains('/')).collect();
    // Outreach keeps no waiting list and audits no case files, so those two are not offered.
    assert_eq!(reports, ["timeliness", "caseload", "referrals", "alerts"]);
    let manager = server.sign_in("manager").await;
    let worker = server.sign_in("north-worker").await;
    for report in reports {
        let csv = format!("/api/v1/services/outreach/reports/{report}/export?format=csv&{PERIOD}");
        let (status, headers, bytes) = manager.download(&csv).await;
        assert_eq!(status, StatusCode::OK, "{report}: {}", String::from_utf8_lossy(&bytes));
        assert!(header(&headers, "content-type").starts_with("text/csv"), "{report}");
        let rows = csv_rows(&bytes);
        assert!(rows.len() > 1, "{report}: headings and figures");
        // Every table of the export is a captioned table of the page.
        let (_, page) = manager_pages.get(&format!("/services/outreach/reports/{report}?{PERIOD}")).await;
        let (status, headers, bytes) =
            manager.download(&format!("/api/v1/services/outreach/reports/{report}/export?format=xlsx&{PERIOD}")).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(header(&headers, "content-type"), XLSX, "{report}");
        let sheets = workbook(bytes).sheet_names();
        assert!(!sheets.is_empty(), "{report}");
        assert!(page.contains("<caption"), "{report}: the page shows its tables");
        assert_eq!(worker.download(&csv).await.0, StatusCode::FORBIDDEN, "{report}: a worker without reports.read");
    }
}
