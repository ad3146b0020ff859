//! One door to the YAML parser, so every file error reads the same: line, column, message.

use serde::de::DeserializeOwned;

/// A YAML document that did not parse or did not fit the expected shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// 1-based; 0 when the parser could not tell.
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// Parses one YAML document into `T`, keeping the position of the first problem.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(|err| {
        let (line, column) = err.location().map_or((0, 0), |l| (l.line(), l.column()));
        YamlError {
            line,
            column,
            // Bounded: a message may quote the offending value, of any size.
            message: crate::excerpt::excerpt_to(&first_line(&err.to_string()), 400).into_owned(),
        }
    })
}

/// The parser renders a source snippet after its message; a one-line error is what users and
/// callers want, since we print the position ourselves.
fn first_line(rendered: &str) -> String {
    let line = rendered.lines().next().unwrap_or(rendered).trim();
    let line = line.strip_prefix("error: ").unwrap_or(line);
    // "line 3 column 7: message": the position is reported separately.
    match line
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((_, message)) => message.to_owned(),
        None => line.to_owned(),
    }
}
