//! Opening a URL in the user's web browser, and telling honestly when that
//! is impossible here (no graphical session, no opener), so the caller can
//! offer the headless way instead of waiting for a redirect that never comes.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Opens `url` in the user's browser: `$BROWSER` (a `:`-separated list of
/// commands, `%s` standing for the URL), else the platform opener.
pub fn open_browser(url: &str) -> std::result::Result<(), String> {
    if let Ok(commands) = std::env::var("BROWSER") {
        if commands
            .split(':')
            .map(str::trim)
            .filter(|command| !command.is_empty())
            .any(|command| run_browser_command(command, url))
        {
            return Ok(());
        }
        // An empty $BROWSER is as good as none: try the platform opener.
        if !commands.trim().is_empty() {
            return Err("the browser command in $BROWSER could not be started".into());
        }
    }
    let opener = platform_opener()?;
    match quiet(Command::new(opener).arg(url)).spawn() {
        Ok(child) => wait_for_opener(child, opener),
        Err(_) => Err(format!(
            "no web browser can be opened here ({opener} is not available and $BROWSER is not set)"
        )),
    }
}

/// Runs one `$BROWSER` entry through `sh`, the URL passed as `$1` so it is
/// never parsed as shell text. True when it started.
fn run_browser_command(command: &str, url: &str) -> bool {
    let script = if command.contains("%s") {
        command.replace("%s", "\"$1\"")
    } else {
        format!("{command} \"$1\"")
    };
    match quiet(Command::new("sh").arg("-c").arg(script).arg("sh").arg(url)).spawn() {
        Ok(child) => started(child),
        Err(_) => false,
    }
}

/// Whether a browser command really started: one that does not exist ends
/// at once with 126/127 from the shell; one still running after a moment
/// is a browser (it is reaped in the background so no zombie is left).
fn started(mut child: Child) -> bool {
    let until = Instant::now() + Duration::from_millis(300);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return !matches!(status.code(), Some(126) | Some(127)),
            Ok(None) if Instant::now() >= until => {
                reap_in_background(child);
                return true;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => return false,
        }
    }
}

/// `open` on macOS; elsewhere `xdg-open`, but only in a graphical session,
/// since without one it would "succeed" at opening nothing.
fn platform_opener() -> std::result::Result<&'static str, String> {
    if cfg!(target_os = "macos") {
        return Ok("open");
    }
    let graphical = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()));
    if !graphical {
        return Err("no web browser can be opened here (no graphical session: DISPLAY is not set, and $BROWSER is not set)".into());
    }
    Ok("xdg-open")
}

/// The opener exits once it handed the URL on: its status says whether it
/// could. One that keeps running for a while is taken as a success.
fn wait_for_opener(mut child: Child, opener: &str) -> std::result::Result<(), String> {
    let until = Instant::now() + Duration::from_secs(3);
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(_)) => return Err(format!("{opener} could not open a web browser")),
            Ok(None) if Instant::now() >= until => {
                reap_in_background(child);
                return Ok(());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(_) => return Ok(()),
        }
    }
}

/// A browser's output must not mix with the application's.
fn quiet(command: &mut Command) -> &mut Command {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
}

fn reap_in_background(mut child: Child) {
    std::thread::spawn(move || {
        let _ = child.wait();
    });
}
