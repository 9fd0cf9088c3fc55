//! Async signatures that must keep compiling under `#[instrument]`, and
//! whose futures stay `Send` when the original's were.
#![deny(warnings)]

use std::fmt::{self, Debug};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use omniscope::instrument;

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[instrument]
async fn no_args() {}

#[instrument]
async fn borrows(a: &str, b: &[u8]) -> usize {
    a.len() + b.len()
}

#[instrument]
async fn returns_borrow(a: &str) -> &str {
    a
}

#[instrument]
async fn elided_in_path(f: fmt::Arguments<'_>, out: &mut String) {
    out.push_str(&f.to_string());
}

#[instrument]
async fn question_mark(input: String) -> Result<u32, std::num::ParseIntError> {
    if input.is_empty() {
        return Ok(0);
    }
    let n: u32 = input.parse()?;
    Ok(n)
}

#[instrument(skip(items))]
async fn generic<T: Debug + Send, I>(value: T, items: I) -> Vec<T>
where
    I: IntoIterator<Item = T>,
{
    let mut out: Vec<T> = items.into_iter().collect();
    out.push(value);
    out
}

#[instrument]
async fn named_lifetimes<'a, 'b>(x: &'a str, y: &'b str) -> (&'a str, &'b str) {
    (x, y)
}

#[instrument]
async fn static_lifetime(x: &'static str) -> &str {
    x
}

#[instrument]
async fn impl_trait_arg(it: impl Iterator<Item = u8> + Debug + Send) -> u32 {
    it.map(u32::from).sum()
}

#[instrument]
async fn impl_trait_return(n: u8) -> impl Iterator<Item = u8> {
    0..n
}

#[instrument]
async fn patterns(mut count: u8, (a, b): (u8, u8), _: u8) -> u8 {
    count += a + b;
    count
}

#[instrument]
async unsafe fn read(ptr: *const u8) -> u8 {
    // SAFETY: the caller passes a valid pointer.
    unsafe { *ptr }
}

#[instrument(skip(f))]
async fn dyn_arg(d: &dyn Debug, f: Box<dyn Fn(&u8) -> &u8 + Send + Sync>) -> String {
    let _ = f(&1);
    format!("{d:?}")
}

#[instrument]
async fn generic_error<E: std::error::Error + Send>(error: Option<E>) -> Result<(), E> {
    match error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

struct Service<'a> {
    name: &'a str,
    hits: u32,
}

impl<'a> Service<'a> {
    #[instrument]
    async fn name(&self) -> &str {
        self.name
    }

    #[instrument]
    async fn name_a(&self) -> &'a str {
        self.name
    }

    #[instrument]
    async fn hit(&mut self, by: u32) -> &mut u32 {
        self.hits += by;
        &mut self.hits
    }

    #[instrument]
    async fn consume(self) -> u32 {
        self.hits
    }

    #[instrument]
    async fn pinned(self: Pin<&mut Self>) -> u32 {
        self.hits
    }

    #[instrument]
    async fn shared(self: Arc<Self>) -> usize {
        self.name.len()
    }

    #[instrument]
    async fn associated(name: &'a str) -> Service<'a> {
        Service { name, hits: 0 }
    }
}

trait Fetch {
    async fn fetch(&self, key: &str) -> Option<String>;

    #[instrument]
    async fn fetch_or(&self, key: &str, default: &str) -> String {
        self.fetch(key).await.unwrap_or_else(|| default.to_owned())
    }
}

struct Cache;

impl Fetch for Cache {
    #[instrument]
    async fn fetch(&self, key: &str) -> Option<String> {
        Some(key.to_owned())
    }
}

trait SendFetch: Sync {
    fn fetch(&self, key: &str) -> impl Future<Output = usize> + Send;
}

impl SendFetch for Cache {
    #[instrument]
    async fn fetch(&self, key: &str) -> usize {
        key.len()
    }
}

fn main() {
    let _ = assert_send(no_args());
    let _ = assert_send(borrows("a", b"b"));
    let _ = assert_send(returns_borrow("a"));
    let mut out = String::new();
    let _ = elided_in_path(format_args!("x"), &mut out);
    let _ = assert_send(question_mark("1".into()));
    let _ = assert_send(generic(1u8, vec![2]));
    let _ = named_lifetimes("a", "b");
    let _ = static_lifetime("a");
    let _ = impl_trait_arg([1u8].into_iter());
    let _ = impl_trait_return(2);
    let _ = patterns(1, (2, 3), 4);
    let byte = 1u8;
    // SAFETY: `byte` is alive.
    let _ = unsafe { read(&byte) };
    let _ = dyn_arg(&1, Box::new(|x| x));
    let _ = assert_send(generic_error::<std::fmt::Error>(None));
    let mut service = Service { name: "s", hits: 0 };
    let _ = assert_send(service.name());
    let _ = service.name_a();
    let _ = service.hit(1);
    let _ = Pin::new(&mut service).pinned();
    let _ = Arc::new(Service { name: "t", hits: 0 }).shared();
    let _ = service.consume();
    let _ = Service::associated("u");
    let _ = Cache.fetch_or("k", "d");
    let _ = Fetch::fetch(&Cache, "k");
    let _ = assert_send(SendFetch::fetch(&Cache, "k"));
}
