//! The OpenAPI document is generated from the routes; the snapshot makes every change to
//! the API a visible diff in review.

use crate::harness::spawn;
use reqwest::StatusCode;

#[tokio::test]
async fn the_served_document_is_the_generated_one_and_matches_the_snapshot() {
    let server = spawn().await;
    let served = server.anonymous().get("/api/v1/openapi.json").await;
    assert_eq!(served.status, StatusCode::OK);
    let generated = serde_json::to_value(casework_web::openapi()).unwrap();
    assert_eq!(served.body, generated);
    assert_eq!(served.body["openapi"], "3.1.0");
    insta::assert_json_snapshot!("openapi", served.body);
}
