//! Casework's HTTP front: the JSON API (and, later, the pages), authentication, request ids,
//! health checks and graceful shutdown. No SQL here: everything goes through the app's
//! use cases.

pub mod api;
pub mod extract;
pub mod problem;
pub mod ui;
pub mod upload;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use casework_app::App;
use problem::{ApiError, REQUEST_ID};
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The OpenAPI document of the API, as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::routes().split_for_parts().1
}

/// The whole application as one router.
pub fn router(app: App) -> axum::Router {
    let (api, spec) = api::routes().split_for_parts();
    // Written out once and shared: every connection gets a copy of the router, and a document
    // held by value would be copied with it, thousands of strings at each connection.
    let spec_json = bytes::Bytes::from(serde_json::to_vec(&spec).unwrap_or_default());
    axum::Router::new()
        .merge(api)
        .merge(ui::routes())
        .route("/api/v1/openapi.json", get(move || async move { ([(CONTENT_TYPE, "application/json")], spec_json) }))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .fallback(|| async { ApiError::not_found("page") })
        .with_state(app)
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(middleware::from_fn(ui::security_headers))
        .layer(middleware::from_fn(with_request_id))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let id = request.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID_HEADER))
        .layer(SetRequestIdLayer::new(REQUEST_ID_HEADER, MakeRequestUuid))
}

/// Makes the request id available to error bodies while the request is handled.
async fn with_request_id(request: Request, next: Next) -> Response {
    let id = request.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    REQUEST_ID.scope(id, next.run(request)).await
}

/// Ready when the database answers.
async fn ready(State(app): State<App>) -> Response {
    match app.store.ping().await {
        Ok(()) => "ready".into_response(),
        Err(error) => {
            tracing::warn!(%error, "not ready");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "Not ready", "the database is not answering").into_response()
        }
    }
}

/// Serves until `shutdown` completes, then finishes the requests in flight (for at most
/// `grace`) before returning.
pub async fn serve(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let listener = listener.tap_io(|connection| {
        // An answer goes out as soon as it is written instead of waiting to fill a packet.
        if let Err(error) = connection.set_nodelay(true) {
            tracing::debug!(%error, "could not turn off Nagle's algorithm for a connection");
        }
    });
    let server = axum::serve(listener, router(app)).with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing requests in flight");
        let _ = stop_tx.send(true);
    });
    // The accept loop runs on a worker thread: on the thread that started the runtime, each new
    // connection would wait for that thread to be scheduled before a worker could take it,
    // milliseconds on a busy machine.
    let mut server = tokio::spawn(server.into_future());
    let mut stopped = stop_rx.clone();
    tokio::select! {
        result = &mut server => result.unwrap_or_else(|stopped| Err(std::io::Error::other(stopped))),
        () = async move {
            let _ = stopped.wait_for(|s| *s).await;
            tokio::time::sleep(grace).await;
        } => {
            server.abort();
            tracing::warn!("requests still in flight after the grace period were cut off");
            Ok(())
        }
    }
}
