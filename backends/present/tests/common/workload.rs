//! A small instrumented "orders" workload, installed once per test process
//! with the dashboard as the only backend.

use std::fmt;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use omniscope_present::{Present, Server};
use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::logs::SdkLogger;
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk, SdkGuard};

/// Why an order failed.
#[derive(Debug)]
pub enum OrderError {
    Invalid(u64),
    Payment(std::io::Error),
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderError::Invalid(id) => write!(f, "order {id} is invalid"),
            OrderError::Payment(_) => f.write_str("payment failed"),
        }
    }
}

impl std::error::Error for OrderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OrderError::Payment(e) => Some(e),
            OrderError::Invalid(_) => None,
        }
    }
}

#[omniscope::instrument]
pub fn place_order(id: u64) -> Result<u64, OrderError> {
    omniscope::info!("placing order"; order.id = id);
    validate_order(id)?;
    charge_card(id)?;
    omniscope::counter!("orders_placed_total", "channel" => "web").increment(1);
    Ok(id)
}

#[omniscope::instrument]
pub fn validate_order(id: u64) -> Result<(), OrderError> {
    if id.is_multiple_of(5) {
        omniscope::warn!("rejecting order"; order.id = id);
        return Err(OrderError::Invalid(id));
    }
    Ok(())
}

#[omniscope::instrument]
pub fn charge_card(id: u64) -> Result<(), OrderError> {
    let _insert = omniscope::span!("db.insert", table = "payments");
    omniscope::debug!("charging card"; order.id = id);
    omniscope::histogram!("payment_amount", "currency" => "EUR").record(10.0 + id as f64);
    if id.is_multiple_of(7) {
        return Err(OrderError::Payment(std::io::Error::other("card declined")));
    }
    Ok(())
}

/// The installed dashboard.
pub struct Installed {
    pub present: Present,
    pub server: Server,
    pub sdk: Sdk,
    _guard: SdkGuard,
}

impl Installed {
    pub fn addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// Hands everything recorded so far to the dashboard.
    pub fn flush(&self) {
        self.sdk
            .flush(Instant::now() + Duration::from_secs(30))
            .expect("flush within 30 s");
    }
}

/// Installs the SDK with the dashboard on 127.0.0.1 (a free port) once.
pub fn installed() -> &'static Installed {
    static INSTALLED: OnceLock<Installed> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let present = Present::builder()
            .with_addr("127.0.0.1:0".parse().unwrap())
            .with_sample_interval(Duration::from_millis(100))
            .build()
            .unwrap();
        let sdk = Sdk::builder()
            .with_resource(Resource::new("orders"))
            .with_tracer(
                SdkTracer::builder()
                    .with_sampler(Sampler::AlwaysOn)
                    .with_exporter(Box::new(present.spans())),
            )
            .with_logger(
                SdkLogger::builder()
                    .with_filter("debug")
                    .with_exporter(Box::new(present.logs())),
            )
            .with_errors(SdkErrors::builder().with_reporter(Box::new(present.errors())))
            .build()
            .unwrap();
        let server = present.serve(sdk.clone()).unwrap();
        let guard = sdk.clone().install().unwrap();
        Installed {
            present,
            server,
            sdk,
            _guard: guard,
        }
    })
}

/// Places orders `1..=n`, reporting failures as the application edge would.
pub fn place_orders(n: u64) {
    for id in 1..=n {
        if let Err(e) = place_order(id) {
            omniscope::handle_error(&e);
        }
    }
}
