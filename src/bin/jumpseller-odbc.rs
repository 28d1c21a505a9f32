//! `jumpseller-odbc auth`: get OAuth tokens once (on a desktop, or with a
//! code copied from any browser) and write the driver's token store, for
//! servers where the driver cannot open a browser itself; and
//! `jumpseller-odbc sync`: fill the local replica (src/replica/command.rs).

use jumpseller_odbc::config::{parse_pairs, Config};
use jumpseller_odbc::jumpseller::oauth::{self, FlowError};
use jumpseller_odbc::jumpseller::tokenstore::{default_location, StoredTokens, TokenStore};
use jumpseller_odbc::logging::Logger;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "\
Usage: jumpseller-odbc auth [options]
       jumpseller-odbc sync --connection-string \"...;CacheLocation=FILE\" [--tables A,B] [--full]

Runs the OAuth authorization-code flow for the Jumpseller ODBC driver and
writes the tokens to the driver's token store (OAuthSettingsLocation).
Connections with InitiateOAuth=GETANDREFRESH or REFRESH and the same
OAuthClientId and OAuthSettingsLocation then use and refresh them.

Options (each may also come from --connection-string):
  --client-id ID            OAuthClientId (required)
  --client-secret SECRET    OAuthClientSecret (required)
  --callback-url URL        CallbackURL, the app's redirect URL (default http://localhost:33333)
  --url URL                 API base URL (default https://api.jumpseller.com/v1)
  --authorization-url URL   OAuthAuthorizationURL
  --token-url URL           OAuthAccessTokenURL
  --scope \"S1 S2\"           Scope (default: all read_* scopes)
  --settings-location PATH  OAuthSettingsLocation (default: the driver's default for this client id and URL)
  --connection-string STR   take the values above from an ODBC connection string
  --verifier CODE           exchange this authorization code instead of running the browser flow
  --timeout SECS            how long to wait for the browser (default 300)

Without --verifier the authorization URL is printed and opened in a browser
($BROWSER, else xdg-open/open) while the command listens on the CallbackURL
(a loopback address) for the redirect. Where the callback cannot reach this
machine: open the printed URL anywhere, copy the `code` from the address the
browser is sent to, and run again with --verifier CODE.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("auth") => match auth(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("jumpseller-odbc auth: {message}");
                ExitCode::from(1)
            }
        },
        Some("sync") => match jumpseller_odbc::replica::command::run(&args[1..]) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(message) => {
                eprintln!("jumpseller-odbc sync: {message}");
                ExitCode::from(1)
            }
        },
        Some("-h") | Some("--help") | Some("help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn auth(args: &[String]) -> Result<(), String> {
    // Flags first: earlier pairs win over the connection string's.
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut conn: Option<String> = None;
    let mut verifier: Option<String> = None;
    let mut wait = Duration::from_secs(300);
    let mut index = 0;
    while index < args.len() {
        let flag = args[index].as_str();
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            return Ok(());
        }
        let (name, inline) = match flag.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (flag, None),
        };
        let value = match inline {
            Some(value) => value,
            None => {
                index += 1;
                args.get(index)
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value (see --help)"))?
            }
        };
        let key = match name {
            "--client-id" => "OAuthClientId",
            "--client-secret" => "OAuthClientSecret",
            "--callback-url" => "CallbackURL",
            "--url" => "URL",
            "--authorization-url" => "OAuthAuthorizationURL",
            "--token-url" => "OAuthAccessTokenURL",
            "--scope" => "Scope",
            "--settings-location" => "OAuthSettingsLocation",
            "--connection-string" => {
                conn = Some(value);
                index += 1;
                continue;
            }
            "--verifier" => {
                verifier = Some(value);
                index += 1;
                continue;
            }
            "--timeout" => {
                wait = Duration::from_secs(
                    value
                        .parse()
                        .map_err(|_| format!("--timeout {value} is not a number of seconds"))?,
                );
                index += 1;
                continue;
            }
            other => return Err(format!("unknown option {other} (see --help)")),
        };
        pairs.push((key.to_string(), value));
        index += 1;
    }
    if let Some(connection_string) = &conn {
        pairs.extend(parse_pairs(connection_string).map_err(|e| e.message)?);
    }
    // Authentication keys of the connection string do not matter here.
    pairs.retain(|(k, _)| !k.eq_ignore_ascii_case("InitiateOAuth"));
    pairs.push(("AuthScheme".into(), "OAuth".into()));
    let (config, _) = Config::from_pairs(&pairs).map_err(|e| e.message)?;
    let client_id = config
        .oauth_client_id
        .clone()
        .ok_or("--client-id (OAuthClientId) is required")?;
    if config.oauth_client_secret.is_none() {
        return Err("--client-secret (OAuthClientSecret) is required".into());
    }
    let app = jumpseller_odbc::config::oauth::app(&config);
    let location = match &config.oauth_settings_location {
        Some(l) => l.clone(),
        None => default_location(&client_id, &config.url).map_err(|e| e.message)?,
    };
    if location.starts_with(jumpseller_odbc::jumpseller::tokenstore::MEMORY_PREFIX) {
        return Err("a memory:// token store lives only inside one process; give a file path to --settings-location".into());
    }
    let store = TokenStore::open(&location).map_err(|e| e.message)?;
    let http = reqwest::blocking::Client::builder()
        .user_agent(concat!("jumpseller-odbc/", env!("CARGO_PKG_VERSION")))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| format!("cannot set up HTTPS: {e}"))?;
    let logger = Logger::default();
    let tokens = match verifier {
        Some(code) => oauth::exchange_code(&http, &app, &code, &app.callback_url, &logger)
            .map_err(|e| e.message)?,
        None => {
            let announce = |url: &str| {
                eprintln!("Open this URL in a browser and approve the access (opening it for you if a browser is available):\n\n  {url}\n");
                eprintln!(
                    "Waiting up to {} s for the redirect to {} ...",
                    wait.as_secs(),
                    app.callback_url
                );
            };
            match oauth::browser_flow_with(&http, &app, wait, &logger, false, &announce) {
                Ok(t) => t,
                Err(FlowError::Failed(e)) => return Err(e.message),
                Err(FlowError::CannotPrompt(reason)) => {
                    let url = oauth::authorization_url(&app, &oauth::random_state())
                        .map_err(|e| e.message)?;
                    return Err(format!(
                        "{reason}.\nOpen this URL in a browser on any machine:\n\n  {url}\n\nApprove, copy the value of `code` from the address the browser is sent to, and run this command again with --verifier CODE."
                    ));
                }
            }
        }
    };
    {
        let _g = store.lock().map_err(|e| e.message)?;
        store
            .save(&StoredTokens::new(&client_id, None, &tokens))
            .map_err(|e| e.message)?;
    }
    println!("OAuth tokens written to {}", store.describe());
    if let Some(secs) = tokens.remaining() {
        println!("The access token is good for {secs} s; the driver refreshes it with the stored refresh token.");
    }
    println!(
        "Connect with: AuthScheme=OAuth;InitiateOAuth=GETANDREFRESH;OAuthClientId={client_id};OAuthClientSecret=...;OAuthSettingsLocation={}",
        store.describe()
    );
    println!(
        "(copy the file to the same path on the server, with mode 0600, if you ran this elsewhere)"
    );
    Ok(())
}
