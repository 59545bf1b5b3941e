//! The shared kit: what every feature's pages are built from, knowing no feature. Form fields
//! and the flash (`form`), page pieces (`page`) and URL building ([`url`]). Widgets that know
//! a feature (role selects, pickers) are in the `forms` module, the signed-in frame in `layout`;
//! the kit names neither (`scripts/check-shape.py` would find the circle).

mod form;
mod page;
pub mod url;

pub use form::{
    flash_for, island_hydrated, kept_field, options, posted_form, take_flash, Checkbox, Checklist, CreatedBanner,
    Field, FieldError, Flash, FormError, FormState, PostedForm, SubmitButton, TextField, FLASH_KEY, SECRET_FIELDS,
};
pub use page::{
    page_count, page_param, pager, person_from_address, route_param, workspace_from_address, Loading, LoadingPage,
    NotFound, NoticeUnavailable,
};
