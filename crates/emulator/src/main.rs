//! azconn-emulator: Entra ID, Microsoft Graph and App Configuration on loopback, for `make dev`
//! and end-to-end tests. Written from reference/protocols.md, independently of azconn-core.

mod admin;
mod appconfig;
mod bearer;
mod entra;
mod faults;
mod graph;
mod jwt;
mod seed;
mod server;
mod state;
mod util;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

use crate::state::{Emulator, World};

const USAGE: &str = "usage: azconn-emulator [--seed FILE] [--listen 127.0.0.1:PORT] [--store NAME=127.0.0.1:PORT]...
                       [--tls-listen 127.0.0.1:PORT --tls-cert CERT.pem --tls-key KEY.pem]
                       [--secret-propagation-seconds N]
Prints one JSON line with every address on stdout once all listeners are bound.";

const DEFAULT_SEED: &str = include_str!("../seed/default.json");

struct Args {
    seed: Option<PathBuf>,
    listen: Option<String>,
    stores: Vec<(String, String)>,
    tls_listen: Option<String>,
    tls_cert: Option<String>,
    tls_key: Option<String>,
    propagation: Option<i64>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        seed: None,
        listen: None,
        stores: Vec::new(),
        tls_listen: None,
        tls_cert: None,
        tls_key: None,
        propagation: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--seed" => a.seed = Some(value.into()),
            "--listen" => a.listen = Some(value),
            "--store" => {
                let (n, addr) = value
                    .split_once('=')
                    .ok_or("--store takes NAME=127.0.0.1:PORT")?;
                a.stores.push((n.into(), addr.into()));
            }
            "--tls-listen" => a.tls_listen = Some(value),
            "--tls-cert" => a.tls_cert = Some(value),
            "--tls-key" => a.tls_key = Some(value),
            "--secret-propagation-seconds" => {
                a.propagation = Some(
                    value
                        .parse()
                        .map_err(|_| "--secret-propagation-seconds takes a number")?,
                )
            }
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

/// Binds a loopback address; anything else is refused because the admin API has no auth.
async fn bind(addr: &str) -> Result<(TcpListener, SocketAddr), String> {
    let parsed: SocketAddr = addr
        .parse()
        .map_err(|_| format!("'{addr}' is not an IP:PORT address"))?;
    if !parsed.ip().is_loopback() {
        return Err(format!(
            "'{addr}' is not a loopback address: the emulator only listens on loopback"
        ));
    }
    let l = TcpListener::bind(parsed)
        .await
        .map_err(|e| format!("bind {addr}: {e}"))?;
    let local = l.local_addr().map_err(|e| e.to_string())?;
    Ok((l, local))
}

fn tls_acceptor(cert: &str, key: &str) -> Result<tokio_rustls::TlsAcceptor, String> {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("{cert}: {e}"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{cert}: {e}"))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{key}: {e}"))?;
    let mut config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("TLS: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

async fn run(args: Args) -> Result<(), String> {
    let (text, base) = match &args.seed {
        Some(p) => (
            std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?,
            p.parent().map(PathBuf::from).unwrap_or_default(),
        ),
        None => (DEFAULT_SEED.to_string(), PathBuf::from(".")),
    };
    let mut seed: seed::Seed = serde_json::from_str(&text).map_err(|e| format!("seed: {e}"))?;
    if let Some(l) = args.listen {
        seed.listen = l;
    }
    for (name, addr) in &args.stores {
        let s = seed
            .stores
            .iter_mut()
            .find(|s| s.name == *name)
            .ok_or_else(|| format!("--store: no store named '{name}' in the seed"))?;
        s.listen = addr.clone();
    }
    if let Some(p) = args.propagation {
        seed.secret_propagation_seconds = p;
    }
    let tls = match (args.tls_listen, args.tls_cert, args.tls_key) {
        (Some(listen), Some(cert_file), Some(key_file)) => Some(seed::TlsSeed {
            listen,
            cert_file,
            key_file,
        }),
        (None, None, None) => seed.tls.clone().map(|t| seed::TlsSeed {
            listen: t.listen,
            cert_file: base.join(t.cert_file).display().to_string(),
            key_file: base.join(t.key_file).display().to_string(),
        }),
        _ => return Err("--tls-listen, --tls-cert and --tls-key go together".into()),
    };
    for f in &seed.faults {
        f.validate().map_err(|e| format!("seed fault: {e}"))?;
    }
    let key_pem = match &seed.signing_key_file {
        Some(f) => {
            std::fs::read_to_string(base.join(f)).map_err(|e| format!("signingKeyFile {f}: {e}"))?
        }
        None => state::WELL_KNOWN_SIGNING_KEY.to_string(),
    };
    let clock = util::Clock::default();
    let mut world = World::from_seed(&seed, &base, clock.now())?;

    let (main_listener, main_addr) = bind(&seed.listen).await?;
    let main_origin = format!("http://{main_addr}");
    world.entra_origins.push(main_origin.clone());
    let tls_bound = match &tls {
        Some(t) => {
            let acceptor = tls_acceptor(&t.cert_file, &t.key_file)?;
            let (l, addr) = bind(&t.listen).await?;
            let origin = format!("https://{}", addr).replace("127.0.0.1", "localhost");
            world.entra_origins.push(origin.clone());
            Some((l, acceptor, origin))
        }
        None => None,
    };
    let mut store_listeners = Vec::new();
    let mut stores_json = serde_json::Map::new();
    let mut tls_stores_json = serde_json::Map::new();
    for (i, s) in seed.stores.iter().enumerate() {
        let (l, addr) = bind(&s.listen).await?;
        let origin = format!("http://{addr}");
        world.stores[i].origins.push(origin.clone());
        stores_json.insert(s.name.clone(), origin.into());
        store_listeners.push((l, i, s.name.clone(), None));
        // With TLS configured, each store also gets an https origin (SDKs send bearer tokens only over TLS).
        if let Some((_, acceptor, _)) = &tls_bound {
            let (l, addr) = bind("127.0.0.1:0").await?;
            let origin = format!("https://localhost:{}", addr.port());
            world.stores[i].origins.push(origin.clone());
            tls_stores_json.insert(s.name.clone(), origin.into());
            store_listeners.push((l, i, s.name.clone(), Some(acceptor.clone())));
        }
    }
    let emu = Arc::new(Emulator {
        clock,
        key: jwt::SigningKey::from_pem(&key_pem)?,
        world: Mutex::new(world),
    });

    let main_app = entra::routes()
        .merge(graph::routes())
        .merge(admin::routes())
        .layer(axum::middleware::from_fn_with_state(
            (emu.clone(), "main".to_string()),
            server::observe,
        ))
        .with_state(emu.clone());
    tokio::spawn(server::serve(main_listener, main_app.clone(), None));
    let tls_json = match tls_bound {
        Some((l, acceptor, origin)) => {
            tokio::spawn(server::serve(l, main_app, Some(acceptor)));
            serde_json::json!({"entra": origin, "graph": origin, "stores": tls_stores_json})
        }
        None => serde_json::Value::Null,
    };
    for (l, i, name, acceptor) in store_listeners {
        let app = appconfig::routes(emu.clone(), i).layer(axum::middleware::from_fn_with_state(
            (emu.clone(), format!("store:{name}")),
            server::observe,
        ));
        tokio::spawn(server::serve(l, app, acceptor));
    }
    let ready = serde_json::json!({
        "entra": main_origin, "graph": main_origin, "admin": format!("{main_origin}/_emulator"),
        "stores": stores_json, "tls": tls_json,
    });
    println!("{ready}");
    eprintln!(
        "azconn-emulator ready: Entra and Graph on {main_origin}, admin API on {main_origin}/_emulator"
    );
    tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
    Ok(())
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("azconn-emulator: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(args).await {
        eprintln!("azconn-emulator: {e}");
        std::process::exit(1);
    }
}
