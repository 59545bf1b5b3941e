//! Pages keep rendering while other apps are built in the same process.
//!
//! leptos_server switches resource loading off process-wide while a route list is generated; a
//! page whose resource was first polled in that window never answered. This test builds apps on
//! one thread while pages that wait on resources render on others: every page must answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use crate::common::TestApp;
use reqwest::StatusCode;
use server::{build_app, Config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn building_apps_never_stalls_pages_rendering_elsewhere() {
    let (app, cookie) = TestApp::start_as("admin").await;

    let builder = tokio::task::spawn_blocking(|| {
        for _ in 0..100 {
            let config = Config::for_upstream("http://127.0.0.1:9");
            let stores = server::memory_stores(&config).0;
            let _app = build_app(config, stores).expect("an app");
        }
    });

    let mut stalled = 0;
    for round in 0..300 {
        let path = ["/users/carol", "/workspaces/demo", "/projects/host/demo-web"][round % 3];
        let res = tokio::time::timeout(Duration::from_secs(5), async {
            let res = app.get(&cookie, path).await;
            let status = res.status();
            let body = res.text().await.unwrap();
            (status, body)
        })
        .await;
        match res {
            Ok((status, body)) => {
                assert_eq!(status, StatusCode::OK, "{path}");
                assert!(body.contains("</html>"), "{path} ended early");
            }
            Err(_) => stalled += 1,
        }
        if builder.is_finished() && round >= 20 {
            break;
        }
    }
    builder.await.unwrap();
    assert_eq!(stalled, 0, "pages stalled while apps were being built");
}
