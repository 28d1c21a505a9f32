//! Value formatting shared by the generators and the routes: money, exact decimals, slugs.

use serde_json::{Number, Value};
use std::str::FromStr;

/// Cents as a JSON number with the fewest decimals (1999 -> 19.99, 1990 -> 19.9, 1900 -> 19),
/// the way the real API prints prices.
pub fn money(cents: i64) -> Value {
    let neg = cents < 0;
    let c = cents.unsigned_abs();
    let whole = c / 100;
    let frac = c % 100;
    let s = if frac == 0 {
        format!("{}{}", if neg { "-" } else { "" }, whole)
    } else if frac.is_multiple_of(10) {
        format!("{}{}.{}", if neg { "-" } else { "" }, whole, frac / 10)
    } else {
        format!("{}{}.{:02}", if neg { "-" } else { "" }, whole, frac)
    };
    Value::Number(Number::from_str(&s).expect("decimal"))
}

/// decimal text -> JSON number, exactly as written
pub fn num(s: &str) -> Value {
    Value::Number(Number::from_str(s).expect("decimal"))
}

/// URL slug as the store makes them: accents folded, other characters collapsed to single
/// dashes, never empty
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = match c {
            'á' | 'à' | 'â' | 'ã' | 'Á' => 'a',
            'é' | 'ê' | 'É' => 'e',
            'í' | 'Í' => 'i',
            'ó' | 'ô' | 'õ' | 'Ó' => 'o',
            'ú' | 'ü' | 'Ú' => 'u',
            'ñ' | 'Ñ' => 'n',
            'ç' => 'c',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "item".into()
    } else {
        out
    }
}
