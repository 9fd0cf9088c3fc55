//! The main job: a small order service, instrumented as a real one would be.
//!
//! `POST /orders` validates an order, reserves the items and charges the
//! card (each step a function with its own span, over simulated latency
//! and failures; the card is charged by a payment gateway, a second HTTP
//! service on its own loopback port, so each order's trace crosses a real
//! HTTP hop); a background worker ships paid orders from a queue; a
//! built-in load generator keeps it busy. Every request is one trace; user
//! errors are answered with a 4xx, internal ones are reported with
//! `omniscope::handle_error` and answered with a 503.
//!
//! Run: `cargo run -p omniscope-examples --example orders`
//! (`-- --help` lists the options), then for instance:
//!
//! ```text
//! curl -i localhost:8080/orders -H 'content-type: application/json' \
//!      -d '{"customer": "ada", "items": [{"sku": "mug", "qty": 2}], "card": "4242424242424242"}'
//! curl localhost:8080/orders/1
//! ```
//!
//! The business modules use only the `omniscope` facade; this file alone
//! decides where the telemetry goes.

mod api;
mod args;
mod error;
mod gateway;
mod inventory;
mod load;
mod orders;
mod payment;
mod shipping;
mod sim;
mod validate;

#[cfg(test)]
mod tests;

use std::error::Error;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::args::{Args, Command};
use crate::inventory::Inventory;
use crate::load::LoadGenerator;
use crate::orders::{Orders, Store};
use crate::payment::Payments;
use crate::shipping::{Shipper, ShippingQueue};
use crate::sim::Sim;

/// How many paid orders may wait for the shipping worker.
const SHIPPING_QUEUE_CAPACITY: usize = 256;

/// How long shutdown waits for the worker to ship what is queued.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

fn main() -> ExitCode {
    let args = match args::parse(std::env::args_os().skip(1)) {
        Ok(Command::Run(args)) => args,
        Ok(Command::Help) => {
            print!("{}", args::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("orders: {e}");
            return ExitCode::from(2);
        }
    };
    let telemetry = match install_telemetry(&args) {
        Ok(guard) => guard,
        Err(e) => {
            // The chain: what could not start, where, and the system's reason.
            let reason = omniscope::error_chain(&e).join(": ");
            eprintln!("orders: cannot install telemetry: {reason}");
            return ExitCode::FAILURE;
        }
    };
    let dashboard = telemetry.dashboard_url();
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Box::<dyn Error>::from)
        .and_then(|runtime| runtime.block_on(run(args, dashboard)));
    // Flushes every signal before exiting.
    drop(telemetry);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("orders: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Serves until Ctrl-C (or `--run-for`), then shuts down in order: the
/// load generator, the server (finishing requests in flight), the
/// shipping worker (draining its queue).
async fn run(args: Args, dashboard: Option<String>) -> Result<(), Box<dyn Error>> {
    let listener = TcpListener::bind(args.addr).await.map_err(|e| {
        format!(
            "cannot listen on {}: {e} (choose another address with --addr)",
            args.addr
        )
    })?;
    let addr = listener.local_addr()?;
    let seed = args.seed.unwrap_or_else(seed_from_clock);
    let mut sim = Sim::new(seed);
    if let Some(ratio) = args.gateway_timeouts {
        sim = sim.with_gateway_timeouts(ratio);
    }
    let (service, shipper) = build_service(&sim).await?;
    print_banner(addr, dashboard.as_deref(), seed, args.load);

    let (stop_server, server_stopped) = oneshot::channel();
    // With each connection's peer, for `client.address`.
    let app = api::router(service).into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, app)
        .with_graceful_shutdown(signalled(server_stopped))
        .into_future();
    let server = tokio::spawn(server);
    let (stop_load, load_stopped) = oneshot::channel();
    let load = (args.load > 0).then(|| {
        let generator = LoadGenerator::new(addr, args.load, sim.fork());
        tokio::spawn(generator.run(signalled(load_stopped)))
    });

    let why = shutdown_requested(args.run_for).await;
    println!("orders: shutting down ({why})");
    let _ = stop_load.send(());
    if let Some(load) = load {
        if let Ok(tally) = load.await {
            println!("orders: load generator: {tally}");
        }
    }
    let _ = stop_server.send(());
    server.await??;
    // The router, and with it the queue's only sender, is gone: the worker
    // ships what is left and stops.
    if tokio::time::timeout(DRAIN_TIMEOUT, shipper).await.is_err() {
        eprintln!("orders: the shipping queue was not drained within {DRAIN_TIMEOUT:?}");
    }
    Ok(())
}

/// The order service, and its helpers already running: the shipping
/// worker, and the payment gateway on its own loopback port.
async fn build_service(
    sim: &Sim,
) -> Result<(Arc<Orders>, tokio::task::JoinHandle<()>), Box<dyn Error>> {
    let store = Arc::new(Store::default());
    let (queue, jobs) = ShippingQueue::new(SHIPPING_QUEUE_CAPACITY);
    let shipper = tokio::spawn(Shipper::new(store.clone(), sim.fork()).run(jobs));
    let inventory = Inventory::new(sim.fork());
    let gateway = gateway::start(sim.fork())
        .await
        .map_err(|e| format!("cannot start the payment gateway on 127.0.0.1: {e}"))?;
    let payments = Payments::new(gateway)
        .map_err(|e| format!("cannot build the payment gateway's client: {e}"))?;
    Ok((
        Arc::new(Orders::new(store, inventory, payments, queue)),
        shipper,
    ))
}

fn print_banner(addr: SocketAddr, dashboard: Option<&str>, seed: u64, load: u32) {
    println!("orders: listening on http://{addr} (try: curl http://{addr}/orders)");
    match dashboard {
        Some(url) => println!("orders: dashboard: {url}"),
        None => println!("orders: dashboard: off (OTEL_*_EXPORTER chose no `present`)"),
    }
    match load {
        0 => println!("orders: load generator off"),
        n => println!("orders: load generator: {n} requests/s (--load 0 turns it off)"),
    }
    println!("orders: seed {seed} (--seed {seed} replays the simulated latencies and failures)");
}

/// Why to shut down: Ctrl-C, or `--run-for` elapsed.
async fn shutdown_requested(run_for: Option<Duration>) -> &'static str {
    let elapsed = async {
        match run_for {
            Some(duration) => tokio::time::sleep(duration).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = ctrl_c() => "Ctrl-C",
        () = elapsed => "--run-for elapsed",
    }
}

/// Completes on Ctrl-C (SIGINT); never, if it cannot be listened for.
async fn ctrl_c() {
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("orders: cannot listen for Ctrl-C ({e}): stop with --run-for or a signal");
        std::future::pending::<()>().await;
    }
}

/// Completes when `stop` is sent (or dropped).
async fn signalled(stop: oneshot::Receiver<()>) {
    let _ = stop.await;
}

fn seed_from_clock() -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    now.as_secs() ^ u64::from(now.subsec_nanos())
}

/// The one place that knows where telemetry goes: logs on the console,
/// everything on the dashboard, unless `OTEL_*` variables or `RUST_LOG` say
/// otherwise (`OTEL_TRACES_EXPORTER=console`, `OMNISCOPE_LOG_FORMAT=json`…).
/// Dropping the guard flushes every signal.
fn install_telemetry(args: &Args) -> Result<omniscope_kit::TelemetryGuard, omniscope_kit::Error> {
    let mut kit = omniscope_kit::builder()
        .with_service_name("orders")
        .with_service_version(env!("CARGO_PKG_VERSION"))
        .with_present(omniscope_kit::present::Present::builder().with_addr(args.dashboard))
        .with_shutdown_timeout(Duration::from_secs(2));
    if args.quiet {
        kit = kit.with_log_filter("warn");
    }
    kit.from_env().install()
}
