//! One request and its whole answer, on a thread of its own (one of the
//! connection's workers), so the statement
//! waiting for it can give up: a cancel or the query's deadline ends the wait
//! within a slice, whatever the server does (stalls, trickles a body, never
//! answers while `Timeout=0`). The abandoned thread finishes or times out on
//! its own; its answer is dropped. A thread that is itself waited for that
//! way (a scan's request thread) makes its request where it is
//! (`exchange_here`).

use super::error::ApiError;
use super::Interrupt;
use crate::jumpseller::ratelimit::Permit;
use crate::workers::Workers;
use bytes::Bytes;
use reqwest::blocking::RequestBuilder;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use std::sync::mpsc::channel;

/// An answer read whole: status, headers, and the body (or why reading it failed).
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// As it came, unchecked: read as text by `utf8_text`, or checked by a
    /// scan's page decoder as it goes (`engine/scan.rs`).
    pub body: Result<Bytes, reqwest::Error>,
}

/// What became of a request: an answer, or the transport's failure.
pub(crate) enum Exchanged {
    Answered(Answer),
    Failed(reqwest::Error),
}

/// A body as text, as reqwest's `text()` makes it without its `charset`
/// feature (UTF-8, bad bytes replaced).
pub(crate) fn utf8_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Sends `request` and reads its answer (or the transport's failure),
/// returning early with the
/// interrupt's error when the statement is cancelled or out of time.
/// `permit` is the limiter's leave to send: it is given back when the
/// answer's head arrives (or the request fails), even if nobody waits for
/// it any more, so the limiter knows the server counted the request by then.
pub(crate) fn exchange(
    request: RequestBuilder,
    permit: Permit,
    interrupt: &Interrupt,
    workers: &Workers,
) -> Result<Exchanged, ApiError> {
    let (tx, rx) = channel();
    workers.run(Box::new(move || {
        // The waiter may have given up: then nobody needs the answer.
        let _ = tx.send(exchange_here(request, permit));
    }));
    // None: the thread ended without an answer (it panicked).
    interrupt.wait_for(&rx)?.ok_or_else(|| ApiError {
        kind: crate::error::Kind::General,
        status: None,
        message: "The request ended without an answer (internal error).".into(),
    })
}

/// `exchange` on the calling thread, which then waits for the answer
/// whatever happens: for a request thread of a page asked ahead, whose
/// reader waits for it by `Interrupt::wait_for` and so still gives up in
/// time (a thread less to wake for each page of a scan).
pub(crate) fn exchange_here(request: RequestBuilder, permit: Permit) -> Exchanged {
    let sent = request.send();
    drop(permit);
    match sent {
        Ok(response) => Exchanged::Answered(Answer {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.bytes(),
        }),
        Err(error) => Exchanged::Failed(error),
    }
}

#[cfg(test)]
mod tests {
    use super::utf8_text;

    #[test]
    fn bodies_are_utf8_with_bad_bytes_replaced() {
        assert_eq!(utf8_text("[{\"n\": \"ñ\"}]".as_bytes()), "[{\"n\": \"ñ\"}]");
        assert_eq!(utf8_text(b"a\xffb"), "a\u{fffd}b");
        assert_eq!(utf8_text(b""), "");
    }
}
