//! What the person is told when the browser flow cannot run here: the
//! authorization URL for the headless way and how to finish with it, sized
//! for applications that show only the first 512 characters of a record.

use super::app::OAuthApp;
use super::flow::authorization_url;

/// receives that redirect to check it; and the URL stays short).
pub fn headless_url(app: &OAuthApp) -> String {
    let full = match authorization_url(app, "") {
        Ok(u) => u,
        Err(e) => return e.message,
    };
    match oauth2::url::Url::parse(&full) {
        Ok(mut u) => {
            let kept: Vec<(String, String)> = u
                .query_pairs()
                .filter(|(k, _)| k != "state")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            u.query_pairs_mut().clear().extend_pairs(kept);
            u.to_string()
        }
        Err(_) => full,
    }
}

/// The first thing to read when the flow cannot run here: the URL and what
/// to do with it, in one short record (some applications show only the
/// first diagnostic record, and only 512 characters of it).
pub fn headless_short(app: &OAuthApp) -> String {
    format!(
        "Open in a browser, approve, reconnect with OAuthVerifier=<code> from the redirect: {}",
        headless_url(app)
    )
}

/// Why the flow cannot run here and the headless way to finish, without the
/// URL: short enough for one diagnostic record (applications often show 512
/// characters of each).
pub fn headless_explanation(app: &OAuthApp, store: &str, reason: &str) -> String {
    format!(
        "No OAuth tokens stored ({store}) and no browser can be opened: {reason}. \
Open the URL of the previous message on any machine, approve, copy `code` from the address it is sent to \
({}?code=...; the page may not load) and reconnect with OAuthVerifier=<code>. Or run `jumpseller-odbc auth` elsewhere and copy its token store here.",
        app.callback_url
    )
}

/// Explanation and URL in one text.
pub fn headless_message(app: &OAuthApp, store: &str, reason: &str) -> String {
    format!(
        "{} OAuth authorization URL: {}",
        headless_explanation(app, store, reason)
            .replace("the URL of the previous message", "this URL"),
        headless_url(app)
    )
}
