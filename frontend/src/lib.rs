//! The WASM entry point. Pages are rendered on the server; only their islands (forms, live
//! search, pickers) are hydrated, each by the function Leptos exports for it. Everything else
//! lives in `app`.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // The islands' hydration functions are exported by `app`; the linker keeps them only if this
    // crate uses `app` at all.
    app::link_islands();
    leptos::mount::hydrate_islands();
}
