//! Connection strings written for CData's API driver (Jumpseller profile):
//! the property bags (`ProfileSettings`, `Other`), the keys that mean
//! nothing here, and the one warning that names every key not honoured.

use super::parse_pairs;
use crate::error::{Error, Kind, Result};

/// CData's bags of inner `key=value` pairs: their pairs apply after every
/// key given directly (so a direct key wins).
pub const BAG_KEYS: &[&str] = &["ProfileSettings", "Other"];

/// Why pooling keys do nothing here (shared by all of them).
const POOLING: &str = "pooling is done by the driver manager: Pooling=Yes and CPTimeout in odbcinst.ini, or SQL_ATTR_CONNECTION_POOLING";

/// CData properties this driver accepts without effect, with the reason
/// given in the warning ("" when the name says enough).
const NO_EFFECT: &[(&str, &str)] = &[
    ("UseConnectionPooling", POOLING),
    ("PoolIdleTimeout", POOLING),
    ("PoolMaxSize", POOLING),
    ("PoolMinSize", POOLING),
    ("PoolWaitTime", POOLING),
    ("LogModules", "the log has levels (Verbosity), not modules"),
    ("RTK", "no licence key is needed"),
    (
        "SupportEnhancedSQL",
        "the driver's SQL engine always runs the whole query",
    ),
    ("BatchSize", ""),
    ("ConnectionLifeTime", ""),
    ("PseudoColumns", ""),
    ("RowScanDepth", "columns come from the profile"),
    ("Location", "the schema is built in; see Profile"),
    ("BrowsableSchemas", ""),
    ("Tables", ""),
    ("Views", ""),
    ("IncludeDualTable", ""),
    ("ProxySSLType", "https always goes through a CONNECT tunnel"),
    (
        "SSLClientCert",
        "Jumpseller does not use client certificates",
    ),
    ("SSLClientCertType", ""),
    ("SSLClientCertPassword", ""),
    ("SSLClientCertSubject", ""),
];

/// The canonical name and reason of a CData key with no effect here.
pub fn no_effect(key: &str) -> Option<(&'static str, &'static str)> {
    NO_EFFECT
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(key.trim()))
        .copied()
}

/// The pairs given, then the inner pairs of each bag (`ProfileSettings`,
/// `Other`) in the order the bags came. A bag inside a bag is left
/// unopened and named in `unhonoured`. A bag still in quotes (from a DSN)
/// is unquoted first. Errors never quote the bag's text:
/// it holds credentials.
pub fn with_bag_pairs(
    raw: &[(String, String)],
    unhonoured: &mut Unhonoured,
) -> Result<Vec<(String, String)>> {
    let mut out = raw.to_vec();
    let mut opened: Vec<&str> = Vec::new();
    for (key, value) in raw {
        let Some(bag) = BAG_KEYS.iter().find(|b| b.eq_ignore_ascii_case(key.trim())) else {
            continue;
        };
        // The first of each bag wins, like any key.
        if opened.contains(bag) {
            continue;
        }
        opened.push(bag);
        // In a DSN the value arrives as written in odbc.ini, quotes and all.
        let value = match super::parse::unquoted(value) {
            Some(inner) => inner,
            // A quote left open swallowed part of the bag, or more: the
            // pairs cannot be trusted.
            None if value.trim_start().starts_with(['\'', '"']) => {
                return Err(Error::new(
                    Kind::Config,
                    format!("The value of {bag} opens a quote that does not close right before a ';' or the end (its text is not shown; it holds credentials). Write {bag}='Key1=value;Key2=value'."),
                ))
            }
            None => value.clone(),
        };
        let inner = parse_pairs(&value).map_err(|e| {
            Error::new(
                Kind::Config,
                format!(
                    "In the value of {bag}: {}",
                    e.message.trim_start_matches("Connection string: ")
                ),
            )
        })?;
        for (k, v) in inner {
            match BAG_KEYS.iter().find(|b| b.eq_ignore_ascii_case(k.trim())) {
                Some(nested) => unhonoured.name(
                    &format!("{nested} inside {bag}"),
                    "a bag inside a bag is not opened",
                ),
                None => out.push((k, v)),
            }
        }
    }
    Ok(out)
}

/// The keys given that have no effect, for the one 01S00 warning.
#[derive(Debug, Default)]
pub struct Unhonoured {
    /// (name, reason); reason may be empty.
    named: Vec<(String, String)>,
    /// Unknown names not shown because they may hold a secret.
    hidden: usize,
}

impl Unhonoured {
    pub fn name(&mut self, key: &str, reason: &str) {
        if !self.named.iter().any(|(n, _)| n.eq_ignore_ascii_case(key)) {
            self.named.push((key.to_string(), reason.to_string()));
        }
    }

    pub fn hide(&mut self) {
        self.hidden += 1;
    }

    /// One sentence naming every key; a reason is given once, at the first
    /// key it explains.
    pub fn message(&self) -> Option<String> {
        if self.named.is_empty() && self.hidden == 0 {
            return None;
        }
        let mut said: Vec<&str> = Vec::new();
        let mut parts: Vec<String> = Vec::new();
        for (name, reason) in &self.named {
            if reason.is_empty() || said.contains(&reason.as_str()) {
                parts.push(name.clone());
            } else {
                said.push(reason);
                parts.push(format!("{name} ({reason})"));
            }
        }
        if self.hidden > 0 {
            parts.push(format!(
                "{} more whose name is not shown because it looks like it may hold a secret (a missing '=' or ';'?)",
                self.hidden
            ));
        }
        Some(format!(
            "These connection properties have no effect with this driver and were ignored: {}. See the README (\"Coming from CData\" and the connection-key table).",
            parts.join(", ")
        ))
    }
}

/// CData writes MaxRows=-1 for "no limit"; here that is 0.
pub fn normalized(name: &str, value: &str) -> String {
    if name == "MaxRows" && value.trim() == "-1" {
        "0".into()
    } else {
        value.to_string()
    }
}

/// MaxLogFileSize in bytes: a whole number of bytes, or a number with a
/// unit (`10 MB`, `512KB`, `1GB`; B, KB, MB, GB, powers of 1024, any case).
pub fn log_file_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let number: u64 = t[..digits].parse().ok()?;
    let factor: u64 = match t[digits..].trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "KB" => 1 << 10,
        "MB" => 1 << 20,
        "GB" => 1 << 30,
        _ => return None,
    };
    number.checked_mul(factor)
}

/// The smallest MaxLogFileSize accepted: below it a log would rotate on
/// nearly every line.
pub const MIN_LOG_FILE_SIZE: u64 = 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(log_file_size("2048"), Some(2048));
        assert_eq!(log_file_size("10 MB"), Some(10 << 20));
        assert_eq!(log_file_size("512kb"), Some(512 << 10));
        assert_eq!(log_file_size("1GB"), Some(1 << 30));
        assert_eq!(log_file_size("10 TB"), None);
        assert_eq!(log_file_size("MB"), None);
        assert_eq!(log_file_size("-5"), None);
        assert_eq!(log_file_size("99999999999999999999"), None);
    }

    #[test]
    fn bags_open_once_and_keep_their_text_out_of_errors() {
        let raw = vec![
            ("Login".to_string(), "direct".to_string()),
            (
                "ProfileSettings".to_string(),
                "Login=inner;AuthToken=tok".to_string(),
            ),
            ("other".to_string(), "'RTK=x;Other=y'".to_string()),
        ];
        let mut u = Unhonoured::default();
        let all = with_bag_pairs(&raw, &mut u).unwrap();
        let tail: Vec<(&str, &str)> = all[3..]
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            tail,
            [("Login", "inner"), ("AuthToken", "tok"), ("RTK", "x")]
        );
        assert!(u.message().unwrap().contains("Other inside Other"));
        let bad = vec![(
            "ProfileSettings".to_string(),
            "Login=a;S3CR3T-token".to_string(),
        )];
        let open = vec![("Other".to_string(), "'Login=a".to_string())];
        let e = with_bag_pairs(&open, &mut u).unwrap_err();
        assert!(e.message.contains("opens a quote"), "{}", e.message);
        let e = with_bag_pairs(&bad, &mut u).unwrap_err();
        assert!(
            e.message
                .starts_with("In the value of ProfileSettings: the text at character 9"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("S3CR3T"), "{}", e.message);
    }

    #[test]
    fn one_message_gives_each_reason_once() {
        let mut u = Unhonoured::default();
        assert_eq!(u.message(), None);
        u.name("UseConnectionPooling", POOLING);
        u.name("PoolMaxSize", POOLING);
        u.name("RTK", "");
        u.name("rtk", "");
        u.hide();
        let m = u.message().unwrap();
        assert_eq!(m.matches("driver manager").count(), 1, "{m}");
        assert!(
            m.contains("UseConnectionPooling (pooling is done by the driver manager")
                && m.contains(", PoolMaxSize, RTK, 1 more whose name is not shown"),
            "{m}"
        );
    }
}
