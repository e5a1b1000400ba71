//! The status page in a real browser: headless Chromium loads it from a running `serve` (on the
//! emulator, clock pinned), coming in through `/?token=…` and its cookie, and the rendered DOM
//! names the people on duty; screenshots at phone and desktop widths, light and dark, are not
//! blank. Needs Chromium (`apt-get install chromium`; `TRIAGE_CHROMIUM` names another binary).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use tokio::net::TcpListener;
use tokio::sync::watch;
use triage_bot::cli::Cli;
use triage_bot::config::Config;
use triage_bot::health::HttpToken;
use triage_bot::serve::{self, ServeOptions};
use triage_bot::slack::emulator::Emulator;

use super::commands::Team;
use super::slack::support;
use super::tools;

const TOKEN: &str = "status-page-token-0123456789";

fn chromium() -> Option<PathBuf> {
    let named = std::env::var_os("TRIAGE_CHROMIUM").map(PathBuf::from);
    let known = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from);
    named.into_iter().chain(known).find(|path| path.is_file())
}

/// Runs headless Chromium with a fresh profile and `args`; returns what it printed.
async fn run_chromium(binary: &Path, args: Vec<String>) -> String {
    let binary = binary.to_path_buf();
    let output = tokio::task::spawn_blocking(move || {
        let profile = tempfile::tempdir().unwrap();
        Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(args)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// What a screenshot shows, roughly: its size, how many colours it uses, and its most common
/// colour with the share of pixels that have it.
#[derive(Debug)]
struct Picture {
    width: u32,
    height: u32,
    colours: usize,
    background: [u8; 3],
    background_share: f64,
}

fn look_at(path: &Path) -> Picture {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let channels = info.color_type.samples();
    assert!(
        channels >= 3,
        "unexpected colour type {:?}",
        info.color_type
    );
    let mut counts = std::collections::HashMap::<[u8; 3], usize>::new();
    for pixel in buffer[..info.buffer_size()].chunks(channels) {
        *counts.entry([pixel[0], pixel[1], pixel[2]]).or_default() += 1;
    }
    let (background, most) = counts.iter().max_by_key(|(_, n)| **n).unwrap();
    Picture {
        width: info.width,
        height: info.height,
        colours: counts.len(),
        background: *background,
        background_share: *most as f64 / f64::from(info.width * info.height),
    }
}

fn is_dark([r, g, b]: [u8; 3]) -> bool {
    u32::from(r) + u32::from(g) + u32::from(b) < 3 * 96
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_page_renders_in_headless_chromium() {
    let browser = chromium();
    if !tools::available("Chromium (apt-get install chromium)", || browser.is_some()) {
        return;
    }
    let browser = browser.unwrap();
    let team = Team::standard();
    team.ok(&["member", "away", "add", "UUI2", "2026-03-20", "2026-03-22"]);
    let on_duty: Vec<String> = team.json(&["who"])["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(on_duty.len(), 3);

    let db = team.dir.path().join("triage.db");
    let (store, _) = triage_bot::store::Store::open(&db, Default::default()).unwrap();
    let cli = Cli::parse_from([
        "triage-bot",
        "--db",
        db.to_str().unwrap(),
        "--clock-start",
        &team.clock,
    ]);
    let config = Config::from_settings(&cli.settings).unwrap();
    let emulator = Emulator::start().await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let options = ServeOptions {
        http: Some(listener),
        http_token: Some(HttpToken::new(TOKEN).unwrap()),
        ..support::serve_options(&emulator)
    };
    let (stop, shutdown) = watch::channel(false);
    let bot = tokio::spawn(serve::run(Arc::new(config), store, options, shutdown));
    assert!(
        emulator
            .wait_until(Duration::from_secs(5), |e| e.ready_sockets() == 2)
            .await
    );

    // Without the token the browser is turned away; with it, it lands on `/` and sees the page.
    let refused = run_chromium(&browser, vec!["--dump-dom".into(), format!("{base}/")]).await;
    assert!(refused.contains("this needs the token"), "{refused}");
    let entry = format!("{base}/?token={TOKEN}");
    let dom = run_chromium(&browser, vec!["--dump-dom".into(), entry.clone()]).await;
    for expected in ["On duty now", "The coming sprints", "Fairness", "away"] {
        assert!(dom.contains(expected), "{expected} missing from the DOM");
    }
    for name in &on_duty {
        assert!(dom.contains(name.as_str()), "{name} missing from the DOM");
    }
    assert!(!dom.contains(TOKEN), "the token is on the page");

    let shots = tempfile::tempdir().unwrap();
    for (label, width, height, dark) in [
        ("phone", 390, 844, false),
        ("desktop", 1280, 900, false),
        ("phone-dark", 390, 844, true),
    ] {
        let path = shots.path().join(format!("{label}.png"));
        let mut args = vec![
            format!("--window-size={width},{height}"),
            format!("--screenshot={}", path.display()),
        ];
        if dark {
            args.push("--force-dark-mode".into());
        }
        args.push(entry.clone());
        run_chromium(&browser, args).await;
        let picture = look_at(&path);
        eprintln!("{label}: {picture:?}");
        assert_eq!((picture.width, picture.height), (width, height), "{label}");
        // Text and tables, not a blank page: many colours (anti-aliased text), and a background
        // that leaves room for them.
        assert!(picture.colours >= 32, "{label} looks blank: {picture:?}");
        assert!(
            picture.background_share < 0.99,
            "{label} looks blank: {picture:?}"
        );
        assert_eq!(is_dark(picture.background), dark, "{label}: {picture:?}");
    }
    stop.send(true).unwrap();
    bot.await.unwrap().unwrap();
}
