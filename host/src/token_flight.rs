//! Single-flight token acquisition: one caller per connection asks Azure (so a refresh token
//! is redeemed once), the others wait for the token it caches. Written over [`TokenSource`],
//! what the platform provides (the cache and lease in D1, Azure over Fetch, a timer), so the
//! decisions run in native tests with an in-memory fake.

use crate::api_error::ApiError;
use crate::records::Connection;
use azconn_core::error::{Code, Error};
use azconn_core::oauth::token::AccessToken;
use std::future::Future;

/// Refresh cached tokens this long before they expire.
pub const TOKEN_MARGIN_SECS: i64 = 5 * 60;
/// A token lease outlives one acquisition (4 attempts within a 20 s budget) and frees the
/// connection if its holder dies.
pub const LEASE_SECS: i64 = 30;
/// Waiters re-read the cache this often, for at most the lease's lifetime and a little more.
pub const LEASE_POLL_MS: u64 = 200;
pub const LEASE_POLLS: u32 = 175;

/// A token and its expiry (unix seconds).
pub type Token = (AccessToken, i64);

/// What acquisition needs from the platform, for one connection.
pub trait TokenSource {
    type Error: From<Error>;

    /// The cached token and its expiry, if one is stored.
    fn cached(&self) -> impl Future<Output = Result<Option<Token>, Self::Error>>;
    /// Takes the connection's lease for `holder` until `until`, unless another holder's
    /// lease is unexpired at `now`.
    fn take_lease(
        &self,
        holder: &str,
        now: i64,
        until: i64,
    ) -> impl Future<Output = Result<bool, Self::Error>>;
    fn release_lease(&self, holder: &str) -> impl Future<Output = Result<(), Self::Error>>;
    /// A new token from Azure, cached before it is returned (the lease holder only).
    fn fresh(&self) -> impl Future<Output = Result<Token, Self::Error>>;
    /// Waits [`LEASE_POLL_MS`] before a waiter looks again.
    fn pause(&self) -> impl Future<Output = ()>;
    fn now(&self) -> i64;
}

/// A token for a stored connection, as the use-cases ask for it (the Worker: [`acquire`] over
/// D1 and Azure).
pub trait Tokens {
    fn token(&self, row: &Connection) -> impl Future<Output = Result<AccessToken, ApiError>>;
}

/// The cached token while it is more than [`TOKEN_MARGIN_SECS`] from expiry.
pub fn usable(cached: Option<Token>, now: i64) -> Option<Token> {
    cached.filter(|(_, exp)| exp - TOKEN_MARGIN_SECS > now)
}

async fn usable_cached<S: TokenSource>(source: &S) -> Result<Option<Token>, S::Error> {
    Ok(usable(source.cached().await?, source.now()))
}

/// A token for the connection: the cached one until five minutes before expiry; otherwise the
/// caller holding the lease acquires one (releasing the lease whatever happens) and the
/// others poll the cache, giving up with `retry-later` after the lease's lifetime.
pub async fn acquire<S: TokenSource>(source: &S, holder: &str) -> Result<Token, S::Error> {
    if let Some(t) = usable_cached(source).await? {
        return Ok(t);
    }
    for _ in 0..LEASE_POLLS {
        let now = source.now();
        if source.take_lease(holder, now, now + LEASE_SECS).await? {
            // A holder that just finished may have cached a token.
            let result = match usable_cached(source).await {
                Ok(Some(t)) => Ok(t),
                Ok(None) => source.fresh().await,
                Err(e) => Err(e),
            };
            source.release_lease(holder).await?;
            return result;
        }
        source.pause().await;
        if let Some(t) = usable_cached(source).await? {
            return Ok(t);
        }
    }
    Err(Error::new(
        Code::RetryLater,
        "another request is still acquiring this connection's token",
    )
    .with_hint("try again in a few seconds")
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// Drives a future whose every await is ready (the fake never blocks).
    fn block_on<F: Future>(f: F) -> F::Output {
        let mut f = pin!(f);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    fn token(text: &str) -> AccessToken {
        AccessToken::parse(text).expect("token")
    }

    /// One connection's cache and lease in memory; `other_holder_caches_after` simulates a
    /// concurrent holder that stores a token after that many pauses.
    struct Fake {
        now: Cell<i64>,
        cache: RefCell<Option<Token>>,
        lease: RefCell<Option<(String, i64)>>,
        fresh_calls: Cell<u32>,
        fresh_fails: bool,
        pauses: Cell<u32>,
        other_holder_caches_after: Option<u32>,
        released: Cell<u32>,
    }

    impl Fake {
        fn new() -> Fake {
            Fake {
                now: Cell::new(1_000),
                cache: RefCell::new(None),
                lease: RefCell::new(None),
                fresh_calls: Cell::new(0),
                fresh_fails: false,
                pauses: Cell::new(0),
                other_holder_caches_after: None,
                released: Cell::new(0),
            }
        }
    }

    impl TokenSource for Fake {
        type Error = Error;

        async fn cached(&self) -> Result<Option<Token>, Error> {
            Ok(self.cache.borrow().clone())
        }

        async fn take_lease(&self, holder: &str, now: i64, until: i64) -> Result<bool, Error> {
            let mut lease = self.lease.borrow_mut();
            match &*lease {
                Some((_, exp)) if *exp > now => Ok(false),
                _ => {
                    *lease = Some((holder.to_owned(), until));
                    Ok(true)
                }
            }
        }

        async fn release_lease(&self, holder: &str) -> Result<(), Error> {
            let mut lease = self.lease.borrow_mut();
            if lease.as_ref().is_some_and(|(h, _)| h == holder) {
                *lease = None;
                self.released.set(self.released.get() + 1);
            }
            Ok(())
        }

        async fn fresh(&self) -> Result<Token, Error> {
            self.fresh_calls.set(self.fresh_calls.get() + 1);
            if self.fresh_fails {
                return Err(Error::new(Code::ReauthRequired, "the grant is gone"));
            }
            let t = (token("fresh"), self.now.get() + 3_600);
            *self.cache.borrow_mut() = Some(t.clone());
            Ok(t)
        }

        async fn pause(&self) {
            self.pauses.set(self.pauses.get() + 1);
            self.now.set(self.now.get() + 1);
            if self.other_holder_caches_after == Some(self.pauses.get()) {
                *self.cache.borrow_mut() = Some((token("theirs"), self.now.get() + 3_600));
            }
        }

        fn now(&self) -> i64 {
            self.now.get()
        }
    }

    #[test]
    fn a_cached_token_far_from_expiry_is_used_without_a_lease() {
        let fake = Fake::new();
        *fake.cache.borrow_mut() = Some((token("cached"), 1_000 + TOKEN_MARGIN_SECS + 1));
        let (t, exp) = block_on(acquire(&fake, "me")).expect("token");
        assert_eq!(t.expose(), "cached");
        assert_eq!(exp, 1_000 + TOKEN_MARGIN_SECS + 1);
        assert_eq!(fake.fresh_calls.get(), 0);
        assert!(fake.lease.borrow().is_none());
    }

    #[test]
    fn a_token_within_the_margin_is_replaced_by_the_lease_holder_which_releases() {
        let fake = Fake::new();
        *fake.cache.borrow_mut() = Some((token("old"), 1_000 + TOKEN_MARGIN_SECS));
        let (t, exp) = block_on(acquire(&fake, "me")).expect("token");
        assert_eq!(t.expose(), "fresh");
        assert_eq!(exp, 4_600);
        assert_eq!(fake.fresh_calls.get(), 1);
        assert_eq!(fake.released.get(), 1);
        assert!(fake.lease.borrow().is_none());
    }

    #[test]
    fn a_waiter_uses_the_token_the_holder_caches_and_never_asks_azure() {
        let mut fake = Fake::new();
        fake.other_holder_caches_after = Some(3);
        *fake.lease.borrow_mut() = Some(("other".to_owned(), 1_000 + LEASE_SECS));
        let (t, _) = block_on(acquire(&fake, "me")).expect("token");
        assert_eq!(t.expose(), "theirs");
        assert_eq!(fake.pauses.get(), 3);
        assert_eq!(fake.fresh_calls.get(), 0);
    }

    #[test]
    fn a_dead_holders_lease_expires_and_the_waiter_takes_over() {
        let fake = Fake::new();
        *fake.lease.borrow_mut() = Some(("dead".to_owned(), 1_005));
        let (t, _) = block_on(acquire(&fake, "me")).expect("token");
        assert_eq!(t.expose(), "fresh");
        assert_eq!(fake.pauses.get(), 5);
        assert_eq!(fake.fresh_calls.get(), 1);
    }

    #[test]
    fn a_failed_acquisition_still_releases_the_lease_and_reports_the_error() {
        let mut fake = Fake::new();
        fake.fresh_fails = true;
        let e = block_on(acquire(&fake, "me")).expect_err("fails");
        assert_eq!(e.code, Code::ReauthRequired);
        assert_eq!(fake.released.get(), 1);
        assert!(fake.lease.borrow().is_none());
    }

    #[test]
    fn a_lease_held_past_every_poll_answers_retry_later() {
        let fake = Fake::new();
        *fake.lease.borrow_mut() = Some(("stuck".to_owned(), i64::MAX));
        let e = block_on(acquire(&fake, "me")).expect_err("gives up");
        assert_eq!(e.code, Code::RetryLater);
        assert_eq!(fake.pauses.get(), LEASE_POLLS);
        assert_eq!(fake.fresh_calls.get(), 0);
    }
}
