//! Command-line arguments, parsed by hand (the example needs no more).

use std::ffi::OsString;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// `--help`.
pub(crate) const USAGE: &str = "\
orders: a small instrumented order service, with its own load generator

usage: cargo run -p omniscope-examples --example orders -- [options]

options:
  --addr ADDR        where to listen (default 127.0.0.1:8080; port 0 picks a free one)
  --dashboard ADDR   where the dashboard listens (default 127.0.0.1:9000; port 0 picks one)
  --load N           requests per second from the built-in load generator
                     (default 20; 0 turns it off)
  --seed N           seed of the simulated latencies and failures (default: from the clock)
  --run-for SECONDS  shut down cleanly after this long (default: until Ctrl-C)
  --gateway-timeouts RATIO
                     share of charges the simulated payment gateway leaves
                     unanswered, from 0 to 1 (default 0.03)
  --quiet            log warnings and errors only (default: RUST_LOG, else info)
  -h, --help         print this help

endpoints: POST /orders, GET /orders/{id}, GET /orders, GET /healthz
";

/// The highest `--load` accepted.
const MAX_LOAD: u32 = 10_000;

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Args {
    pub(crate) addr: SocketAddr,
    pub(crate) dashboard: SocketAddr,
    pub(crate) load: u32,
    pub(crate) seed: Option<u64>,
    pub(crate) run_for: Option<Duration>,
    pub(crate) gateway_timeouts: Option<f64>,
    pub(crate) quiet: bool,
}

impl Default for Args {
    fn default() -> Args {
        Args {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            dashboard: SocketAddr::from(([127, 0, 0, 1], 9000)),
            load: 20,
            seed: None,
            run_for: None,
            gateway_timeouts: None,
            quiet: false,
        }
    }
}

/// Run the service, or print the help.
#[derive(Debug, PartialEq)]
pub(crate) enum Command {
    Run(Args),
    Help,
}

/// A command line that cannot be used, with what to do about it.
#[derive(Debug, PartialEq)]
pub(crate) struct ArgsError(String);

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (see --help)", self.0)
    }
}

impl std::error::Error for ArgsError {}

/// Parses the arguments after the program name; `--flag value` and
/// `--flag=value` both work.
pub(crate) fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, ArgsError> {
    let mut parsed = Args::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|a| ArgsError(format!("argument {a:?} is not valid UTF-8")))?;
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        let mut value = || value_of(&flag, inline.clone(), &mut args);
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--quiet" => parsed.quiet = true,
            "--addr" => {
                parsed.addr = parse_value(
                    &flag,
                    &value()?,
                    "an IP address and port, such as 127.0.0.1:8080",
                )?
            }
            "--dashboard" => {
                parsed.dashboard = parse_value(
                    &flag,
                    &value()?,
                    "an IP address and port, such as 127.0.0.1:9000",
                )?
            }
            "--load" => parsed.load = parse_load(&value()?)?,
            "--seed" => parsed.seed = Some(parse_value(&flag, &value()?, "a whole number")?),
            "--run-for" => parsed.run_for = Some(parse_seconds(&value()?)?),
            "--gateway-timeouts" => parsed.gateway_timeouts = Some(parse_ratio(&flag, &value()?)?),
            _ => return Err(ArgsError(format!("unknown argument `{flag}`"))),
        }
    }
    Ok(Command::Run(parsed))
}

/// The value of `flag`: after `=`, or the next argument.
fn value_of(
    flag: &str,
    inline: Option<String>,
    rest: &mut impl Iterator<Item = OsString>,
) -> Result<String, ArgsError> {
    let missing = || ArgsError(format!("`{flag}` needs a value"));
    match inline {
        Some(value) => Ok(value),
        None => rest
            .next()
            .ok_or_else(missing)?
            .into_string()
            .map_err(|v| ArgsError(format!("the value {v:?} of `{flag}` is not valid UTF-8"))),
    }
}

fn parse_value<T: std::str::FromStr>(
    flag: &str,
    value: &str,
    expected: &str,
) -> Result<T, ArgsError> {
    value.parse().map_err(|_| {
        ArgsError(format!(
            "invalid `{flag}` value `{value}`: expected {expected}"
        ))
    })
}

fn parse_load(value: &str) -> Result<u32, ArgsError> {
    let expected = format!("requests per second, 0 to {MAX_LOAD}");
    parse_value("--load", value, &expected)
        .ok()
        .filter(|&n| n <= MAX_LOAD)
        .ok_or_else(|| {
            ArgsError(format!(
                "invalid `--load` value `{value}`: expected {expected}"
            ))
        })
}

fn parse_ratio(flag: &str, value: &str) -> Result<f64, ArgsError> {
    value
        .parse::<f64>()
        .ok()
        .filter(|r| (0.0..=1.0).contains(r))
        .ok_or_else(|| {
            ArgsError(format!(
                "invalid `{flag}` value `{value}`: expected a number from 0 to 1"
            ))
        })
}

fn parse_seconds(value: &str) -> Result<Duration, ArgsError> {
    value
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| {
            ArgsError(format!(
                "invalid `--run-for` value `{value}`: expected a positive number of seconds"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Command, ArgsError> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn defaults_and_every_flag() {
        assert_eq!(run(&[]), Ok(Command::Run(Args::default())));
        let all = run(&[
            "--addr",
            "127.0.0.1:0",
            "--dashboard=127.0.0.1:0",
            "--load=50",
            "--seed",
            "7",
            "--run-for",
            "2.5",
            "--gateway-timeouts=0.5",
            "--quiet",
        ]);
        let expected = Args {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            dashboard: SocketAddr::from(([127, 0, 0, 1], 0)),
            load: 50,
            seed: Some(7),
            run_for: Some(Duration::from_millis(2500)),
            gateway_timeouts: Some(0.5),
            quiet: true,
        };
        assert_eq!(all, Ok(Command::Run(expected)));
        assert_eq!(run(&["--load", "0", "-h"]), Ok(Command::Help));
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        let cases: &[(&[&str], &str)] = &[
            (&["--lod", "5"], "unknown argument `--lod`"),
            (&["--load"], "`--load` needs a value"),
            (
                &["--load", "-3"],
                "invalid `--load` value `-3`: expected requests per second, 0 to 10000",
            ),
            (
                &["--load", "20000"],
                "invalid `--load` value `20000`: expected requests per second, 0 to 10000",
            ),
            (
                &["--addr", "localhost"],
                "invalid `--addr` value `localhost`: \
                 expected an IP address and port, such as 127.0.0.1:8080",
            ),
            (
                &["--gateway-timeouts", "2"],
                "invalid `--gateway-timeouts` value `2`: expected a number from 0 to 1",
            ),
            (
                &["--run-for", "0"],
                "invalid `--run-for` value `0`: expected a positive number of seconds",
            ),
            (
                &["--run-for", "inf"],
                "invalid `--run-for` value `inf`: expected a positive number of seconds",
            ),
            (
                &["--seed", "x"],
                "invalid `--seed` value `x`: expected a whole number",
            ),
        ];
        for (args, message) in cases {
            assert_eq!(run(args), Err(ArgsError((*message).to_owned())), "{args:?}");
        }
    }
}
