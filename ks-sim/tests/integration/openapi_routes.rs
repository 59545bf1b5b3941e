//! Every route the simulator serves (outside `/_sim` and the dynamic handler's role/binding
//! routes of §3.8) exists with the same method in ks-apiserver's swagger.json.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use ks_sim::routes::{table, RouteKind};
use serde_json::Value;

/// `{anything}` → `{}`: parameter names differ between registrations, positions do not.
fn normalise(path: &str) -> String {
    path.split('/').map(|s| if s.starts_with('{') && s.ends_with('}') { "{}" } else { s }).collect::<Vec<_>>().join("/")
}

#[test]
fn every_served_route_is_in_the_kubesphere_swagger() {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/kubesphere-openapi/swagger.json");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| {
        panic!(
            "cannot read the KubeSphere swagger at {} ({e}); it is an unmodified copy of \
             kubesphere/kubesphere api/ks-openapi-spec/swagger.json (see README.txt beside it)",
            file.display()
        )
    });
    let swagger: Value = serde_json::from_str(&text).unwrap();
    let paths = swagger["paths"].as_object().unwrap();
    let documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(path, ops)| {
            let p = normalise(path);
            ops.as_object().unwrap().keys().map(move |m| (m.to_lowercase(), p.clone()))
        })
        .collect();
    let mut missing = Vec::new();
    let served = table();
    assert!(served.len() > 30, "the table lists the routes");
    for route in served.iter().filter(|r| r.kind == RouteKind::Openapi) {
        let key = (route.method.to_owned(), normalise(route.path));
        if !documented.contains(&key) {
            missing.push(format!("{} {}", route.method.to_uppercase(), route.path));
        }
    }
    assert!(missing.is_empty(), "not in swagger.json: {missing:#?}");
    // And the dynamic ones really are the dynamic handler's (absent from the swagger).
    for route in served.iter().filter(|r| r.kind == RouteKind::Dynamic) {
        let key = (route.method.to_owned(), normalise(route.path));
        assert!(!documented.contains(&key), "{route:?} is documented: mark it Openapi");
    }
}
