//! One error type shared by the safe layers. It names the *kind* of failure in
//! neutral terms; only `odbc/` turns a kind into a SQLSTATE, so `jumpseller/`
//! and `engine/` stay free of ODBC concepts.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A connection-string or DSN value is wrong (name, value, allowed values).
    Config,
    /// The server could not be reached: DNS, refused, TLS, bad URL.
    Connect,
    /// The API refused the credentials or token.
    Auth,
    /// The connection broke after it was established (reset, truncated body).
    Lost,
    /// A request or the query ran out of time.
    Timeout,
    /// The application cancelled the statement.
    Cancelled,
    /// The API answered with an error status (the message carries it).
    Api,
    /// The API answered something that is not the JSON we expect.
    Malformed,
    /// SQL the engine cannot parse.
    Syntax,
    /// A table that does not exist.
    NoTable,
    /// A column that does not exist.
    NoColumn,
    /// A write the API rejected as invalid, or a constraint.
    Constraint,
    /// A value that is not of the requested type (not a number, not a date).
    Data,
    /// A number too large for the requested type.
    OutOfRange,
    /// Text too long for the requested type (non-space characters cut).
    Truncation,
    /// A value that is not a date, time or timestamp where one is required.
    DatetimeFormat,
    /// A conversion between these types is not possible at all.
    BadConversion,
    /// A feature we do not offer (yet).
    NotImplemented,
    /// Anything else.
    General,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
    /// An exact SQLSTATE, set only by the ODBC layer for states that belong
    /// to ODBC itself (function sequence, invalid cursor state, ...).
    pub state: Option<&'static str>,
}

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            state: None,
        }
    }

    pub fn odbc(state: &'static str, message: impl Into<String>) -> Self {
        Error {
            kind: Kind::General,
            message: message.into(),
            state: Some(state),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// Shorthand: `err(Kind::Config, format!(..))`.
pub fn err<T>(kind: Kind, message: impl Into<String>) -> Result<T> {
    Err(Error::new(kind, message))
}
