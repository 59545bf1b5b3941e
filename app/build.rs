//! Compiles the translations in `locales/{en,zh}/<namespace>.json` into the typed `i18n` module
//! (a key missing in one language is a build warning and a failing test, `i18n::tests`).

use std::error::Error;
use std::path::PathBuf;

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

/// One namespace per feature, as `app/src` is cut.
const NAMESPACES: [&str; 21] = [
    "common",
    "errors",
    "auth",
    "forms",
    "people",
    "workspaces",
    "projects",
    "memberships",
    "roles",
    "activity",
    "onboarding",
    "bulk",
    "home",
    "audit",
    "directory",
    "planner",
    "access",
    "explain",
    "requests",
    "same_access",
    "notices",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    // Strings with values (`{{ name }}`) are built as text too: errors and plans are sentences
    // made on the server, not only views.
    let options = ParseOptions::default().interpolate_display(true);
    let config = NAMESPACES
        .iter()
        .try_fold(Config::new("en")?.add_locale("zh")?, |c, ns| c.add_namespace(ns))?
        .parse_options(options);
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out)?;
    Ok(())
}
