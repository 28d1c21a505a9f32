//! Opening a URL in the user's web browser, and telling honestly when that
//! is impossible here (no graphical session, no opener), so the caller can
//! offer the headless way instead of waiting for a redirect that never comes.

use std::time::{Duration, Instant};

/// Opens `url` in the user's browser: `$BROWSER` (a `:`-separated list of
/// commands, `%s` standing for the URL), else the platform opener.
pub fn open_browser(url: &str) -> std::result::Result<(), String> {
    use std::process::{Command, Stdio};
    let started = |mut child: std::process::Child| -> bool {
        // A command that does not exist ends at once with 126/127.
        let until = Instant::now() + Duration::from_millis(300);
        loop {
            match child.try_wait() {
                Ok(Some(s)) => return !matches!(s.code(), Some(126) | Some(127)),
                Ok(None) if Instant::now() >= until => {
                    std::thread::spawn(move || {
                        let _ = child.wait();
                    });
                    return true;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(_) => return false,
            }
        }
    };
    if let Ok(b) = std::env::var("BROWSER") {
        for cmd in b.split(':').map(str::trim).filter(|c| !c.is_empty()) {
            let script = if cmd.contains("%s") {
                cmd.replace("%s", "\"$1\"")
            } else {
                format!("{cmd} \"$1\"")
            };
            let child = Command::new("sh")
                .arg("-c")
                .arg(script)
                .arg("sh")
                .arg(url)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            if let Ok(c) = child {
                if started(c) {
                    return Ok(());
                }
            }
        }
        if !b.trim().is_empty() {
            return Err("the browser command in $BROWSER could not be started".into());
        }
    }
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        let graphical = ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
        if !graphical {
            return Err("no web browser can be opened here (no graphical session: DISPLAY is not set, and $BROWSER is not set)".into());
        }
        "xdg-open"
    };
    match Command::new(opener)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(mut c) => {
            let until = Instant::now() + Duration::from_secs(3);
            loop {
                match c.try_wait() {
                    Ok(Some(s)) if s.success() => return Ok(()),
                    Ok(Some(_)) => return Err(format!("{opener} could not open a web browser")),
                    Ok(None) if Instant::now() >= until => {
                        std::thread::spawn(move || {
                            let _ = c.wait();
                        });
                        return Ok(());
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                    Err(_) => return Ok(()),
                }
            }
        }
        Err(_) => Err(format!(
            "no web browser can be opened here ({opener} is not available and $BROWSER is not set)"
        )),
    }
}
