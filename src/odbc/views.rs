//! UserDefinedViews: a JSON file of named queries, `{"Name": {"query":
//! "SELECT ..."}}`, made views of the store's schema at connect. A file that
//! cannot be used fails the connection with a message naming the view and
//! the problem; nothing is half-applied.

use crate::engine::additions::ViewDef;
use crate::error::{Error, Kind, Result};

fn bad(path: &str, what: String) -> Error {
    Error::new(Kind::Config, format!("UserDefinedViews {path}: {what}"))
}

/// The views a file defines, in the file's order.
pub fn load(path: &str) -> Result<Vec<ViewDef>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(path, format!("the file cannot be read: {e}.")))?;
    parse(path, &text)
}

fn parse(path: &str, text: &str) -> Result<Vec<ViewDef>> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        bad(
            path,
            format!(
                "is not valid JSON at line {}, column {}: {e}. Expected {{\"ViewName\": {{\"query\": \"SELECT ...\"}}}}.",
                e.line(),
                e.column()
            ),
        )
    })?;
    let serde_json::Value::Object(views) = json else {
        return Err(bad(
            path,
            "must hold one JSON object: {\"ViewName\": {\"query\": \"SELECT ...\"}, ...}.".into(),
        ));
    };
    views
        .into_iter()
        .map(|(name, def)| view(path, name, def))
        .collect()
}

fn view(path: &str, name: String, def: serde_json::Value) -> Result<ViewDef> {
    let problem = |what: &str| bad(path, format!("view '{name}' {what}"));
    let serde_json::Value::Object(fields) = def else {
        return Err(problem(
            "must be an object with a \"query\": {\"query\": \"SELECT ...\"}.",
        ));
    };
    if let Some(unknown) = fields.keys().find(|k| k.as_str() != "query") {
        return Err(problem(&format!(
            "has the key \"{unknown}\"; a view has only \"query\"."
        )));
    }
    match fields.get("query") {
        Some(serde_json::Value::String(q)) if !q.trim().is_empty() => Ok(ViewDef {
            name,
            sql: q.clone(),
            origin: path.to_string(),
        }),
        Some(serde_json::Value::String(_)) => Err(problem("has an empty query.")),
        Some(_) => Err(problem("has a \"query\" that is not a string of SQL.")),
        None => Err(problem("has no \"query\".")),
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn good_files_keep_their_order() {
        let v = parse(
            "f",
            r#"{"B": {"query": "SELECT 1"}, "A": {"query": "SELECT id FROM Orders"}}"#,
        )
        .unwrap();
        assert_eq!(v[0].name, "B");
        assert_eq!(v[1].sql, "SELECT id FROM Orders");
    }

    #[test]
    fn bad_files_name_the_view_and_the_problem() {
        let e = |text: &str| parse("f.json", text).unwrap_err().message;
        assert!(e("{").contains("not valid JSON at line 1"), "{}", e("{"));
        assert!(e("[]").contains("one JSON object"));
        assert!(e(r#"{"V": "SELECT 1"}"#).contains("view 'V' must be an object"));
        assert!(e(r#"{"V": {}}"#).contains("view 'V' has no \"query\""));
        assert!(e(r#"{"V": {"query": 3}}"#).contains("not a string"));
        assert!(e(r#"{"V": {"query": " "}}"#).contains("empty query"));
        assert!(e(r#"{"V": {"query": "SELECT 1", "sql": "x"}}"#).contains("\"sql\""));
    }
}
