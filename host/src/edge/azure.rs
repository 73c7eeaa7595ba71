//! Executes the core's requests: Fetch with a timeout, the core's retry policy, WebCrypto
//! signing of client assertions. No protocol logic lives here.

use super::runtime::{fill, now_ms, now_s, random};
use crate::config::AzureLimits;
use crate::platform::{Clock, Entropy, Outbound, Signer, Timer};
use azconn_core::error::{Code, Error};
use azconn_core::http::{HttpRequest, HttpResponse};
use azconn_core::jose::assertion::WebCryptoParams;
use azconn_core::retry::{Decision, Outcome, RetryPolicy};
use futures_util::future::{Either, select};
use std::cell::Cell;
use std::time::Duration;
use worker::js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::{AbortController, Delay, Fetch, Headers, Request, RequestInit, RequestRedirect};

thread_local! {
    /// The deployment's limits (`Config::azure_limits`), set at the start of every event: one
    /// isolate serves one deployment, so every request sets the same value.
    static LIMITS: Cell<AzureLimits> = Cell::new(AzureLimits::default());
}

pub fn set_limits(limits: AzureLimits) {
    LIMITS.with(|l| l.set(limits));
}

/// Interactive calls wait at most the budget in total, Retry-After included.
fn policy(limits: AzureLimits) -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay_ms: 250,
        max_delay_ms: 4_000,
        budget_ms: limits.retry_budget_ms,
    }
}

async fn send_once(
    req: &HttpRequest,
    timeout_ms: u64,
) -> Result<Option<HttpResponse>, worker::Error> {
    let headers = Headers::new();
    for (k, v) in &req.headers {
        headers.set(k, v)?;
    }
    let mut init = RequestInit::new();
    // Never follow a redirect: the request carries a token or a secret for this exact host, and
    // a store endpoint that answers 3xx must not get them replayed elsewhere. The 3xx is
    // returned to the core's parser as the error it is.
    init.with_method(worker::Method::from(req.method.as_str().to_owned()))
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
    if !req.body.is_empty() {
        init.with_body(Some(JsValue::from_str(&req.body)));
    }
    let request = Request::new_with_init(&req.url, &init)?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let attempt = async {
        let mut resp = fetch.send_with_signal(&signal).await?;
        let status = resp.status_code();
        let headers: Vec<(String, String)> = resp
            .headers()
            .entries()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        let body = resp.text().await?;
        Ok::<_, worker::Error>(HttpResponse {
            status,
            headers,
            body,
        })
    };
    let timeout = Delay::from(Duration::from_millis(timeout_ms));
    futures_util::pin_mut!(attempt);
    futures_util::pin_mut!(timeout);
    match select(attempt, timeout).await {
        Either::Left((Ok(r), _)) => Ok(Some(r)),
        // A dropped connection is handled like a timeout: nothing was answered.
        Either::Left((Err(_), _)) => Ok(None),
        Either::Right(_) => {
            controller.abort();
            Ok(None)
        }
    }
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

/// Sends `req`, retrying what the core's policy says is retryable (429/503/504, transient
/// Graph conflicts, timeouts) within a bounded budget, honouring Retry-After.
pub async fn execute(req: &HttpRequest) -> Result<HttpResponse, Error> {
    execute_with(req, true).await
}

/// [`execute`] for a request that is not idempotent (Graph `addPassword`): a lost answer is not
/// sent again, since the first attempt may have taken effect; the caller's state machine finds
/// out what happened (a rotation re-reads the app's credentials and removes the orphan).
pub async fn execute_at_most_once(req: &HttpRequest) -> Result<HttpResponse, Error> {
    execute_with(req, false).await
}

async fn execute_with(req: &HttpRequest, resend_unanswered: bool) -> Result<HttpResponse, Error> {
    let limits = LIMITS.with(Cell::get);
    let policy = policy(limits);
    let start = now_ms();
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let answer = send_once(req, limits.attempt_timeout_ms)
            .await
            .map_err(|e| Error::new(Code::Internal, format!("cannot send the request: {e}")))?;
        let outcome = match &answer {
            Some(r) => Outcome::Response(r),
            None if !resend_unanswered => {
                return Err(Error::new(
                    Code::Unavailable,
                    format!(
                        "{} did not answer; the request may have been applied",
                        host_of(&req.url)
                    ),
                )
                .with_hint("run the operation again: it resumes and reconciles what was applied"));
            }
            None => Outcome::Timeout,
        };
        let entropy = u32::from_le_bytes(random::<4>().map_err(|e| e.error)?);
        match policy.decide(
            attempt,
            now_ms().saturating_sub(start),
            outcome,
            now_s(),
            entropy,
        ) {
            Decision::Retry { after_ms } => Delay::from(Duration::from_millis(after_ms)).await,
            Decision::Stop(_) => {
                return answer.ok_or_else(|| {
                    Error::new(
                        Code::Unavailable,
                        format!(
                            "{} did not answer after {attempt} attempts",
                            host_of(&req.url)
                        ),
                    )
                    .with_hint("Azure or the network is unavailable: try again later")
                });
            }
        }
    }
}

/// The Worker as the platform of the use-cases: `Date.now`, `crypto.getRandomValues`, Fetch
/// with the retry policy, WebCrypto.
pub struct Edge;

impl Clock for Edge {
    fn now(&self) -> i64 {
        now_s()
    }

    fn now_ms(&self) -> u64 {
        now_ms()
    }
}

impl Entropy for Edge {
    fn fill(&self, buf: &mut [u8]) -> Result<(), Error> {
        fill(buf)
    }
}

impl Outbound for Edge {
    async fn execute(&self, req: &HttpRequest) -> Result<HttpResponse, Error> {
        execute(req).await
    }

    async fn execute_at_most_once(&self, req: &HttpRequest) -> Result<HttpResponse, Error> {
        execute_at_most_once(req).await
    }
}

impl Timer for Edge {
    async fn pause(&self, ms: u64) {
        Delay::from(Duration::from_millis(ms)).await;
    }
}

impl Signer for Edge {
    async fn sign(
        &self,
        params: &WebCryptoParams,
        pkcs8: &[u8],
        input: &[u8],
    ) -> Result<Vec<u8>, Error> {
        web_crypto_sign(params, pkcs8, input).await.map_err(|e| {
            Error::field(
                "privateKey",
                Code::UnsupportedKeyType,
                format!("WebCrypto refused the private key: {e:?}"),
            )
        })
    }
}

/// `crypto.subtle` of the Worker's global scope.
fn subtle() -> Result<JsValue, JsValue> {
    let crypto = Reflect::get(&worker::js_sys::global(), &"crypto".into())?;
    Reflect::get(&crypto, &"subtle".into())
}

async fn call_subtle(method: &str, args: &Array) -> Result<JsValue, JsValue> {
    let subtle = subtle()?;
    let f: Function = Reflect::get(&subtle, &method.into())?.dyn_into()?;
    let promise: Promise = f.apply(&subtle, args)?.dyn_into()?;
    JsFuture::from(promise).await
}

/// Signs `input` with the PKCS#8 RSA key through WebCrypto, with the core's algorithm.
async fn web_crypto_sign(
    params: &WebCryptoParams,
    pkcs8: &[u8],
    input: &[u8],
) -> Result<Vec<u8>, JsValue> {
    let import_alg = Object::new();
    Reflect::set(&import_alg, &"name".into(), &params.name.into())?;
    Reflect::set(&import_alg, &"hash".into(), &params.hash.into())?;
    let usages = Array::of1(&"sign".into());
    let key = call_subtle(
        "importKey",
        &Array::of5(
            &"pkcs8".into(),
            &Uint8Array::from(pkcs8).into(),
            &import_alg.into(),
            &JsValue::FALSE,
            &usages.into(),
        ),
    )
    .await?;
    let sign_alg = Object::new();
    Reflect::set(&sign_alg, &"name".into(), &params.name.into())?;
    if let Some(salt) = params.salt_length {
        Reflect::set(&sign_alg, &"saltLength".into(), &salt.into())?;
    }
    let sig = call_subtle(
        "sign",
        &Array::of3(&sign_alg.into(), &key, &Uint8Array::from(input).into()),
    )
    .await?;
    Ok(Uint8Array::new(&sig).to_vec())
}
