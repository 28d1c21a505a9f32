use jumpseller_sandbox::{Fault, Sandbox, SandboxConfig};
use std::io::Write;

const USAGE: &str = "usage:
  jumpseller-sandbox serve [--port N] [--seed S] [--products N] [--orders N] [--customers N] [--categories N]
                           [--customer-categories N] [--per-second N] [--per-minute N] [--ban-after N] [--ban-secs S]
                           [--token-ttl S] [--no-rotate] [--oauth-deny] [--latency MS] [--jitter MS]
                           [--login L] [--authtoken T] [--client-id ID] [--client-secret S] [--redirect-uri URI]...
                           [--huge-description-product ID] [--fault ROUTE=KIND[:ARG][@PROB][#COUNT]]...
  jumpseller-sandbox export --sqlite FILE [same data flags]";

fn parse(args: &[String]) -> Result<(SandboxConfig, Option<String>), String> {
    let mut c = SandboxConfig::default();
    let mut sqlite = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let mut val = || -> Result<String, String> {
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| format!("{} needs a value", a))
        };
        macro_rules! n {
            () => {{
                let v = val()?;
                v.parse()
                    .map_err(|_| format!("{}: '{}' is not a number", a, v))?
            }};
        }
        match a {
            "--port" => c.port = n!(),
            "--seed" => c.seed = n!(),
            "--products" => c.products = n!(),
            "--orders" => c.orders = n!(),
            "--customers" => c.customers = n!(),
            "--categories" => c.categories = n!(),
            "--customer-categories" => c.customer_categories = n!(),
            "--per-second" => c.per_second = n!(),
            "--per-minute" => c.per_minute = n!(),
            "--ban-after" => c.ban_after = n!(),
            "--ban-secs" => c.ban_secs = n!(),
            "--token-ttl" => c.token_ttl_secs = n!(),
            "--no-rotate" => c.rotate_refresh_tokens = false,
            "--oauth-deny" => c.oauth_deny = true,
            "--latency" => c.latency_ms = n!(),
            "--jitter" => c.jitter_ms = n!(),
            "--login" => c.login = val()?,
            "--authtoken" => c.authtoken = val()?,
            "--client-id" => c.client_id = val()?,
            "--client-secret" => c.client_secret = val()?,
            "--redirect-uri" => c.redirect_uris.push(val()?),
            "--huge-description-product" => c.huge_description_product = Some(n!()),
            "--fault" => c.faults.push(Fault::parse(&val()?)?),
            "--sqlite" => sqlite = Some(val()?),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown flag '{}'\n{}", other, USAGE)),
        }
        i += 1;
    }
    Ok((c, sqlite))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprintln!("{}", USAGE);
        std::process::exit(2);
    };
    let (cfg, sqlite) = match parse(&args[1..]) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{}", e);
            std::process::exit(2);
        }
    };
    match cmd.as_str() {
        "serve" => {
            let sb = match Sandbox::start(cfg) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("cannot start: {}", e);
                    std::process::exit(1);
                }
            };
            let mut out = std::io::stdout();
            let _ = writeln!(out, "JUMPSELLER_SANDBOX_URL={}", sb.url());
            let _ = out.flush();
            eprintln!("jumpseller-sandbox: serving {} (OAuth at {}/oauth/..., control at {}/__sandbox/...)", sb.url(), sb.base_url(), sb.base_url());
            loop {
                std::thread::park();
            }
        }
        "export" => {
            let Some(file) = sqlite else {
                eprintln!("export needs --sqlite FILE\n{}", USAGE);
                std::process::exit(2);
            };
            match jumpseller_sandbox::export::export_sqlite(&cfg, std::path::Path::new(&file)) {
                Ok(n) => eprintln!("exported {} rows to {}", n, file),
                Err(e) => {
                    eprintln!("export failed: {}", e);
                    std::process::exit(1);
                }
            }
        }
        _ => {
            eprintln!("unknown command '{}'\n{}", cmd, USAGE);
            std::process::exit(2);
        }
    }
}
