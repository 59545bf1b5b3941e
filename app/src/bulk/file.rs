//! The bulk-onboarding file: a CSV with a fixed header, read strictly. Every problem with the
//! file itself (encoding, header, quoting, size) is one plain sentence with its line number.

use super::{FileRow, COLUMNS, LINK_COLUMNS, MAX_ROWS};
use crate::i18n::td_string;
use crate::language::Locale;

/// Why a file cannot be read at all (rows with bad values are reported per row, later).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("The file is empty. Start from the template on this page.")]
    Empty,
    #[error("Line {line}: the file is not UTF-8 text. Save it as \"CSV UTF-8\" and try again.")]
    Encoding { line: usize },
    #[error("Line 1: the header must be exactly `{expected}`; it is `{found}`.")]
    Header { expected: String, found: String },
    #[error("The file has a header but no rows.")]
    NoRows,
    #[error("The file has {rows} rows; at most {MAX_ROWS} fit in one file. Split it into smaller files.")]
    TooManyRows { rows: usize },
    #[error("Line {line}: {problem}")]
    Malformed { line: usize, problem: LineProblem },
}

/// Why one line cannot be read as CSV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineProblem {
    #[error("{found} cells where the header has {expected}. Check the commas and quotes on this line.")]
    Cells { found: u64, expected: u64 },
    #[error("not UTF-8 text. Save the file as \"CSV UTF-8\".")]
    NotUtf8,
    #[error("this line cannot be read as CSV. Check its quotes.")]
    Unreadable,
}

impl FileError {
    /// The sentence to show, in `locale`. (`Display` stays English: it is what the logs say.)
    pub fn message_in(&self, locale: Locale) -> String {
        match self {
            FileError::Empty => td_string!(locale, bulk.file_empty).into(),
            FileError::Encoding { line } => td_string!(locale, bulk.file_encoding, line).to_string(),
            FileError::Header { expected, found } => td_string!(locale, bulk.file_header, expected, found).to_string(),
            FileError::NoRows => td_string!(locale, bulk.file_no_rows).into(),
            FileError::TooManyRows { rows } => {
                td_string!(locale, bulk.file_too_many_rows, rows, max = MAX_ROWS).to_string()
            }
            FileError::Malformed { line, problem } => {
                td_string!(locale, bulk.file_line, line, problem = problem.message_in(locale)).to_string()
            }
        }
    }
}

impl LineProblem {
    pub fn message_in(&self, locale: Locale) -> String {
        match self {
            LineProblem::Cells { found, expected } => td_string!(locale, bulk.line_cells, found, expected).to_string(),
            LineProblem::NotUtf8 => td_string!(locale, bulk.line_not_utf8).into(),
            LineProblem::Unreadable => td_string!(locale, bulk.line_unreadable).into(),
        }
    }
}

/// The file as text, without a byte-order mark: UTF-8 only, else the line that is not.
pub fn text(bytes: &[u8]) -> Result<&str, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes)
        .map_err(|e| FileError::Encoding { line: 1 + bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() })
}

/// Reads the file's rows, each with its line number.
pub fn read(bytes: &[u8]) -> Result<Vec<FileRow>, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FileError::Empty);
    }
    let bytes = text(bytes)?.as_bytes();
    let mut reader = csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(bytes);
    let header: Vec<String> =
        reader.headers().map_err(|e| malformed(bytes, &e))?.iter().map(|h| h.to_ascii_lowercase()).collect();
    let linked: Vec<&str> = COLUMNS.iter().chain(LINK_COLUMNS.iter()).copied().collect();
    if header != COLUMNS && header != linked {
        return Err(FileError::Header { expected: COLUMNS.join(","), found: header.join(",") });
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| malformed(bytes, &e))?;
        let line = record.position().map_or(0, |p| line_at(bytes, p.byte()));
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            let rest = reader.records().count();
            return Err(FileError::TooManyRows { rows: MAX_ROWS + 1 + rest });
        }
        let cell = |i: usize| record.get(i).unwrap_or_default().to_owned();
        rows.push(FileRow {
            line,
            username: cell(0),
            email: cell(1),
            display_name: cell(2),
            platform_role: cell(3),
            workspace: cell(4),
            workspace_role: cell(5),
            cluster: cell(6),
            project: cell(7),
            project_role: cell(8),
            identity_provider: cell(9),
            identity: cell(10),
        });
    }
    if rows.is_empty() {
        return Err(FileError::NoRows);
    }
    Ok(rows)
}

/// The line (from 1) where a record starting at a byte offset begins: the CSV reader counts
/// lines without the blank ones, and a record's offset may point at the blank lines before it.
fn line_at(bytes: &[u8], offset: u64) -> usize {
    let mut start = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
    while bytes.get(start).is_some_and(|b| matches!(b, b'\n' | b'\r')) {
        start += 1;
    }
    1 + bytes[..start].iter().filter(|b| **b == b'\n').count()
}

fn malformed(bytes: &[u8], e: &csv::Error) -> FileError {
    let line = e.position().map_or(0, |p| line_at(bytes, p.byte()));
    let problem = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            LineProblem::Cells { found: *len, expected: *expected_len }
        }
        csv::ErrorKind::Utf8 { .. } => LineProblem::NotUtf8,
        _ => LineProblem::Unreadable,
    };
    FileError::Malformed { line, problem }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const HEADER: &str =
        "username,email,display_name,platform_role,workspace,workspace_role,cluster,project,project_role";

    #[test]
    fn rows_keep_their_line_numbers_and_cells_are_trimmed() {
        let file = format!("{HEADER}\nzoe, zoe@example.com ,Zoe,,demo,admin,,,\n\n\"yan\",yan@example.com,\"Yan, Li\",,demo,,host,demo-web,viewer\n");
        let rows = read(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].line, rows[0].email.as_str(), rows[0].workspace_role.as_str()),
            (2, "zoe@example.com", "admin")
        );
        assert_eq!((rows[1].line, rows[1].display_name.as_str(), rows[1].project.as_str()), (4, "Yan, Li", "demo-web"));
    }

    #[test]
    fn a_byte_order_mark_and_crlf_line_ends_are_fine() {
        let file = format!("\u{feff}{HEADER}\r\nzoe,zoe@example.com,,,,,,,\r\n");
        assert_eq!(read(file.as_bytes()).unwrap()[0].username, "zoe");
    }

    #[test]
    fn problems_with_the_file_itself_say_where() {
        assert_eq!(read(b"").unwrap_err(), FileError::Empty);
        assert_eq!(read(b"  \n").unwrap_err(), FileError::Empty);
        assert_eq!(read(format!("{HEADER}\n").as_bytes()).unwrap_err(), FileError::NoRows);
        assert!(matches!(read(b"user,email\nzoe,z@example.com\n").unwrap_err(), FileError::Header { .. }));
        let mut latin1 = format!("{HEADER}\nzoe,zoe@example.com,Zo").into_bytes();
        latin1.extend_from_slice(b"\xe9,,,,,,\n");
        assert_eq!(read(&latin1).unwrap_err(), FileError::Encoding { line: 2 });
        let short = format!("{HEADER}\nzoe,zoe@example.com\n");
        let err = read(short.as_bytes()).unwrap_err();
        assert!(matches!(err, FileError::Malformed { line: 2, .. }), "{err:?}");
        assert!(err.to_string().starts_with("Line 2: 2 cells where the header has 9."), "{err}");
        let quotes = format!("{HEADER}\nzoe,\"zoe@example.com,,,,,,,\nyan,yan@example.com,,,,,,,\n");
        assert!(matches!(read(quotes.as_bytes()).unwrap_err(), FileError::Malformed { .. }));
    }

    #[test]
    fn problems_are_told_in_the_page_language_and_logged_in_english() {
        let err = FileError::Malformed { line: 2, problem: LineProblem::Cells { found: 2, expected: 9 } };
        assert_eq!(err.message_in(Locale::en), err.to_string());
        assert!(err.message_in(Locale::zh).starts_with("第 2 行："), "{}", err.message_in(Locale::zh));
        assert_eq!(
            FileError::TooManyRows { rows: 1002 }.message_in(Locale::en),
            FileError::TooManyRows { rows: 1002 }.to_string()
        );
    }

    #[test]
    fn at_most_a_thousand_rows() {
        let mut file = HEADER.to_owned();
        for i in 0..MAX_ROWS {
            file.push_str(&format!("\nu{i},u{i}@example.com,,,,,,,"));
        }
        assert_eq!(read(file.as_bytes()).unwrap().len(), MAX_ROWS);
        file.push_str("\nextra,extra@example.com,,,,,,,\nmore,more@example.com,,,,,,,");
        assert_eq!(read(file.as_bytes()).unwrap_err(), FileError::TooManyRows { rows: MAX_ROWS + 2 });
    }
}
