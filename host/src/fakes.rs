//! In-memory fakes of what the platform provides, for native tests of the use-cases: a store
//! that keeps connections, secrets and the audit log in memory (with injectable storage
//! failures and a concurrent writer), and a platform whose Azure answers like the real one
//! unless a test scripts another answer (with an app registration whose secrets Graph keeps,
//! for rotations). Deterministic: a fixed clock and counting entropy.

use crate::api_error::{ApiError, Dependent, platform_failure};
use crate::connection_store::{AuditEvent, ConnectionStore, SignInStore, TokenStore};
use crate::records::{
    Connection, ConnectionStatus, CredentialUpdate, NewConnection, NewRotation, NewSignIn, NewSync,
    PendingSignIn, Rotation as RotationRecord, RotationLeftover, RotationSettings, RotationStatus,
    RunStatus, Sync, SyncRun, SyncSettings, Taken,
};
use crate::rotation_store::{PublishedSecret, RotationStore};
use crate::secret_field::Field;
use crate::sync_store::SyncStore;
use crate::token_flight::Tokens;
use azconn_core::error::{Code, Error};
use azconn_core::form::ConnectionType;
use azconn_core::http::{HttpRequest, HttpResponse};
use azconn_core::jose::assertion::WebCryptoParams;
use azconn_core::oauth::token::{AccessToken, RefreshToken, TokenResponse};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

pub const NOW: i64 = 1_800_000_000;
pub const TENANT: &str = "8c3a7e51-2f64-4b0e-9d1a-6f5e2c4b7a10";
pub const APP: &str = "6a1f0c2e-3b4d-4c5e-8f70-91a2b3c4d5e6";
pub const SECRET: &str = "azc8Q~fakeSecretForNativeTests.DoNotUse01";
pub const OTHER_SECRET: &str = "azc8Q~anotherFakeSecretForTests.DoNotUse2";

/// Drives a future whose every await is ready (the fakes never block).
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// An unsigned JWT with these claims (the host only reads claims; Azure verifies).
pub fn jwt(claims: &Value) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.sig", part(&json!({ "alg": "RS256" })), part(claims))
}

/// An app-only Graph token that may manage the apps it owns.
pub fn graph_token() -> String {
    jwt(&json!({ "tid": TENANT, "roles": ["Application.ReadWrite.OwnedBy"] }))
}

pub fn token_response(access_token: &str) -> HttpResponse {
    HttpResponse::new(
        200,
        json!({ "token_type": "Bearer", "expires_in": 3599, "access_token": access_token })
            .to_string(),
    )
}

/// Which Azure service a request went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Service {
    Token,
    Graph,
    Store,
}

fn service_of(req: &HttpRequest) -> Service {
    if req.url.contains("/oauth2/v2.0/token") {
        Service::Token
    } else if req.url.contains("graph.microsoft") {
        Service::Graph
    } else {
        Service::Store
    }
}

/// The clock, entropy, Azure and signing of a test.
pub struct FakePlatform {
    pub now: Cell<i64>,
    counter: Cell<u8>,
    script: RefCell<BTreeMap<Service, VecDeque<HttpResponse>>>,
    /// Every request sent, in order.
    pub requests: RefCell<Vec<HttpRequest>>,
    pub pauses: Cell<u32>,
    /// The app registration Graph keeps, when a test rotates its secrets.
    pub app: RefCell<Option<FakeApp>>,
    /// Requests (by a part of their URL) whose answer is lost once after Azure applied them.
    pub lost: RefCell<Vec<&'static str>>,
    /// The App Configuration store a sync writes to, when a test syncs.
    pub store: RefCell<Option<FakeStore>>,
}

impl FakePlatform {
    pub fn new() -> FakePlatform {
        FakePlatform {
            now: Cell::new(NOW),
            counter: Cell::new(0),
            script: RefCell::new(BTreeMap::new()),
            requests: RefCell::new(Vec::new()),
            pauses: Cell::new(0),
            app: RefCell::new(None),
            lost: RefCell::new(Vec::new()),
            store: RefCell::new(None),
        }
    }

    /// A platform whose App Configuration keeps `store`.
    pub fn with_store(store: FakeStore) -> FakePlatform {
        let p = FakePlatform::new();
        *p.store.borrow_mut() = Some(store);
        p
    }

    /// The methods and keys of the App Configuration requests sent, in order.
    pub fn store_calls(&self) -> Vec<String> {
        self.requests
            .borrow()
            .iter()
            .filter(|r| service_of(r) == Service::Store)
            .map(|r| {
                let path = r.url.split(".io").nth(1).unwrap_or(&r.url);
                let path = path.split('?').next().unwrap_or(path);
                format!("{} {}", r.method.as_str(), percent_decode(path))
            })
            .collect()
    }

    /// A platform whose Graph keeps `app`.
    pub fn with_app(app: FakeApp) -> FakePlatform {
        let p = FakePlatform::new();
        *p.app.borrow_mut() = Some(app);
        p
    }

    /// The paths (after `/v1.0`) and methods of the Graph requests sent, in order.
    pub fn graph_calls(&self) -> Vec<String> {
        self.requests
            .borrow()
            .iter()
            .filter(|r| service_of(r) == Service::Graph)
            .map(|r| {
                let path = r.url.split("/v1.0").nth(1).unwrap_or(&r.url);
                let path = path.split('?').next().unwrap_or(path);
                format!("{} {path}", r.method.as_str())
            })
            .collect()
    }

    /// Whether the answer to `req` is lost (once).
    fn loses(&self, req: &HttpRequest) -> bool {
        let mut lost = self.lost.borrow_mut();
        match lost.iter().position(|part| req.url.contains(part)) {
            Some(i) => {
                lost.remove(i);
                true
            }
            None => false,
        }
    }

    /// Azure's answer: a scripted one, the app's Graph, or the default.
    fn respond(&self, req: &HttpRequest) -> HttpResponse {
        self.requests.borrow_mut().push(req.clone());
        let service = service_of(req);
        if let Some(resp) = self
            .script
            .borrow_mut()
            .get_mut(&service)
            .and_then(VecDeque::pop_front)
        {
            return resp;
        }
        if service == Service::Graph
            && let Some(app) = self.app.borrow_mut().as_mut()
        {
            return app.handle(req, self.now.get());
        }
        if service == Service::Store
            && let Some(store) = self.store.borrow_mut().as_mut()
        {
            return store.handle(req);
        }
        match service {
            Service::Token => token_response(&graph_token()),
            Service::Graph => HttpResponse::new(
                200,
                json!({ "value": [{ "id": "0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f", "appId": APP, "displayName": "azconn" }] })
                    .to_string(),
            ),
            Service::Store => HttpResponse::new(200, json!({ "items": [] }).to_string()),
        }
    }

    /// The next request to `service` gets `resp` instead of the default answer.
    pub fn answer(&self, service: Service, resp: HttpResponse) {
        self.script
            .borrow_mut()
            .entry(service)
            .or_default()
            .push_back(resp);
    }

    pub fn services(&self) -> Vec<Service> {
        self.requests.borrow().iter().map(service_of).collect()
    }
}

impl crate::platform::Clock for FakePlatform {
    fn now(&self) -> i64 {
        self.now.get()
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.now.get()).unwrap_or(0) * 1000
    }
}

impl crate::platform::Entropy for FakePlatform {
    fn fill(&self, buf: &mut [u8]) -> Result<(), Error> {
        for b in buf {
            self.counter.set(self.counter.get().wrapping_add(1));
            *b = self.counter.get();
        }
        Ok(())
    }
}

impl crate::platform::Outbound for FakePlatform {
    /// A lost answer is sent again, as the retry policy does: Azure applies it twice.
    async fn execute(&self, req: &HttpRequest) -> Result<HttpResponse, Error> {
        let resp = self.respond(req);
        if self.loses(req) {
            return Ok(self.respond(req));
        }
        Ok(resp)
    }

    async fn execute_at_most_once(&self, req: &HttpRequest) -> Result<HttpResponse, Error> {
        let resp = self.respond(req);
        if self.loses(req) {
            return Err(Error::new(
                Code::Unavailable,
                "graph.microsoft.com did not answer; the request may have been applied",
            ));
        }
        Ok(resp)
    }
}

impl crate::platform::Timer for FakePlatform {
    /// Time passes at once: a waiter's next look sees the clock moved.
    async fn pause(&self, ms: u64) {
        self.pauses.set(self.pauses.get() + 1);
        self.now
            .set(self.now.get() + i64::try_from(ms / 1000).unwrap_or(0).max(1));
    }
}

impl crate::platform::Signer for FakePlatform {
    async fn sign(
        &self,
        _params: &WebCryptoParams,
        _pkcs8: &[u8],
        _input: &[u8],
    ) -> Result<Vec<u8>, Error> {
        Err(Error::new(
            Code::Internal,
            "the fake platform signs nothing",
        ))
    }
}

/// One audit log entry as stored.
#[derive(Debug, Clone)]
pub struct Audited {
    pub action: String,
    pub outcome: String,
    pub detail: Value,
}

/// A write another request commits in the middle of this one.
pub type OtherWrite = Box<dyn FnOnce(&MemoryStore)>;

/// Connections, secrets, dependents and the audit log of one organization in memory.
#[derive(Default)]
pub struct MemoryStore {
    pub connections: RefCell<Vec<Connection>>,
    pub secrets: RefCell<BTreeMap<(String, &'static str), String>>,
    /// (connection id, what uses it).
    pub dependents: RefCell<Vec<(String, Dependent)>>,
    pub audit: RefCell<Vec<Audited>>,
    /// The storage call that fails (as D1 would: a platform failure with D1's text).
    pub fail: Cell<Option<&'static str>>,
    /// Another writer commits just before this request's update does.
    pub concurrent_write: Cell<bool>,
    /// Another create, which passed the same checks, commits just before this request's next
    /// insert of a rotation or a sync does (called once, with the store).
    pub before_insert: RefCell<Option<OtherWrite>>,
    /// The value a secret takes right after its next read: another writer (a rotation
    /// publishing) commits between two reads of this request.
    pub written_after_read: RefCell<BTreeMap<(String, &'static str), String>>,
    /// Pending OAuth sign-ins with their state hash.
    pub sign_ins: RefCell<Vec<(String, PendingSignIn)>>,
    /// (connection id, tenant) of every reconnect.
    pub reconnects: RefCell<Vec<(String, String)>>,
    /// The token lease: (holder, until).
    pub lease: RefCell<Option<(String, i64)>>,
    /// Expiry of each cached access token.
    pub token_expiry: RefCell<BTreeMap<String, i64>>,
    pub rotations: MemoryRotations,
    pub syncs: MemorySyncs,
}

impl MemoryStore {
    fn failing(&self, call: &'static str) -> Result<(), ApiError> {
        if self.fail.get() == Some(call) {
            return Err(platform_failure(format!(
                "D1_ERROR: {call} failed: SQLITE_BUSY"
            )));
        }
        Ok(())
    }

    fn concurrent_insert(&self) {
        let insert = self.before_insert.take();
        if let Some(insert) = insert {
            insert(self);
        }
    }

    pub fn row(&self, id: &str) -> Option<Connection> {
        self.connections
            .borrow()
            .iter()
            .find(|c| c.id == id)
            .cloned()
    }

    /// The secret fields stored for `owner`, by name.
    pub fn fields(&self, owner: &str) -> Vec<&'static str> {
        self.secrets
            .borrow()
            .keys()
            .filter(|(o, _)| o == owner)
            .map(|(_, f)| *f)
            .collect()
    }

    pub fn secret_of(&self, owner: &str, field: Field) -> Option<String> {
        self.secrets
            .borrow()
            .get(&(owner.to_owned(), field.name()))
            .cloned()
    }

    pub fn actions(&self) -> Vec<(String, String)> {
        self.audit
            .borrow()
            .iter()
            .map(|a| (a.action.clone(), a.outcome.clone()))
            .collect()
    }

    /// The details recorded for `action`, in order.
    pub fn audit_details(&self, action: &str) -> Vec<Value> {
        self.audit
            .borrow()
            .iter()
            .filter(|a| a.action == action)
            .map(|a| a.detail.clone())
            .collect()
    }

    fn put_secrets(&self, owner: &str, secrets: &[(Field, String)]) {
        let mut stored = self.secrets.borrow_mut();
        for (field, value) in secrets {
            stored.insert((owner.to_owned(), field.name()), value.clone());
        }
    }
}

impl ConnectionStore for MemoryStore {
    async fn connection(
        &self,
        org: &str,
        ty: ConnectionType,
        id: &str,
    ) -> Result<Option<Connection>, ApiError> {
        self.failing("connection")?;
        Ok(self.row(id).filter(|c| c.org_id == org && c.ty == ty))
    }

    async fn name_taken(
        &self,
        org: &str,
        ty: ConnectionType,
        name: &str,
    ) -> Result<bool, ApiError> {
        self.failing("name_taken")?;
        Ok(self
            .connections
            .borrow()
            .iter()
            .any(|c| c.org_id == org && c.ty == ty && c.name == name))
    }

    async fn insert(
        &self,
        c: &NewConnection<'_>,
        secrets: &[(Field, String)],
    ) -> Result<(), ApiError> {
        self.failing("insert")?;
        if self.name_taken(c.org_id, c.ty, c.name).await? {
            return Err(ApiError::new(
                409,
                Error::field("name", Code::Conflict, "taken"),
            ));
        }
        self.connections.borrow_mut().push(Connection {
            id: c.id.to_owned(),
            org_id: c.org_id.to_owned(),
            ty: c.ty,
            method: c.method,
            name: c.name.to_owned(),
            description: c.description.map(str::to_owned),
            tenant_id: c.tenant_id.to_owned(),
            client_id: c.client_id.map(str::to_owned),
            cloud: c.cloud.to_owned(),
            endpoint: c.endpoint.map(str::to_owned),
            credential_info: Some(c.credential_info.clone()),
            status: ConnectionStatus::Active,
            last_error: None,
            last_validated_at: Some(c.now),
            version: 1,
            created_at: c.now,
            updated_at: c.now,
            created_by: c.created_by.map(str::to_owned),
        });
        self.put_secrets(c.id, secrets);
        Ok(())
    }

    async fn replace_credentials(
        &self,
        _org: &str,
        u: &CredentialUpdate<'_>,
        secrets: &[(Field, String)],
    ) -> Result<bool, ApiError> {
        self.failing("replace_credentials")?;
        let mut rows = self.connections.borrow_mut();
        let Some(row) = rows.iter_mut().find(|c| c.id == u.id) else {
            return Ok(false);
        };
        if self.concurrent_write.get() {
            row.version += 1;
        }
        if row.version != u.version {
            return Ok(false);
        }
        row.version += 1;
        row.name = u.name.to_owned();
        row.description = u.description.map(str::to_owned);
        row.method = u.method;
        row.tenant_id = u.tenant_id.to_owned();
        row.client_id = Some(u.client_id.to_owned());
        row.endpoint = u.endpoint.map(str::to_owned);
        row.credential_info = Some(u.credential_info.clone());
        row.updated_at = u.now;
        drop(rows);
        self.secrets.borrow_mut().retain(|(o, _), _| o != u.id);
        self.put_secrets(u.id, secrets);
        Ok(true)
    }

    async fn rename(
        &self,
        id: &str,
        version: i64,
        name: &str,
        description: Option<&str>,
        now: i64,
    ) -> Result<bool, ApiError> {
        self.failing("rename")?;
        let mut rows = self.connections.borrow_mut();
        let Some(row) = rows.iter_mut().find(|c| c.id == id) else {
            return Ok(false);
        };
        if self.concurrent_write.get() {
            row.version += 1;
        }
        if row.version != version {
            return Ok(false);
        }
        row.version += 1;
        row.name = name.to_owned();
        row.description = description.map(str::to_owned);
        row.updated_at = now;
        Ok(true)
    }

    async fn delete_unused(&self, org: &str, id: &str) -> Result<bool, ApiError> {
        self.failing("delete_unused")?;
        if !self.dependents(org, id).await?.is_empty() {
            return Ok(false);
        }
        let before = self.connections.borrow().len();
        self.connections
            .borrow_mut()
            .retain(|c| !(c.id == id && c.org_id == org));
        let deleted = self.connections.borrow().len() < before;
        if deleted {
            self.secrets.borrow_mut().retain(|(o, _), _| o != id);
            self.rotations
                .leftovers
                .borrow_mut()
                .retain(|l| !(l.connection_id == id && l.org_id == org));
        }
        Ok(deleted)
    }

    /// The listed ones, then the stored rotations and syncs of the connection (as D1 finds
    /// them: rotations first, each in creation order).
    async fn dependents(&self, org: &str, id: &str) -> Result<Vec<Dependent>, ApiError> {
        let listed: Vec<Dependent> = self
            .dependents
            .borrow()
            .iter()
            .filter(|(c, _)| c == id)
            .map(|(_, d)| d.clone())
            .collect();
        let rotations: Vec<Dependent> = self
            .rotations
            .rows
            .borrow()
            .iter()
            .filter(|r| r.connection_id == id && r.org_id == org)
            .map(Dependent::rotation)
            .collect();
        let syncs: Vec<Dependent> = self
            .syncs
            .rows
            .borrow()
            .iter()
            .filter(|x| x.connection_id == id && x.org_id == org)
            .map(Dependent::sync)
            .collect();
        Ok(listed.into_iter().chain(rotations).chain(syncs).collect())
    }

    async fn set_status(
        &self,
        id: &str,
        status: ConnectionStatus,
        error: Option<&Error>,
        now: i64,
    ) -> Result<(), ApiError> {
        self.failing("set_status")?;
        if let Some(row) = self
            .connections
            .borrow_mut()
            .iter_mut()
            .find(|c| c.id == id)
        {
            row.status = status;
            row.last_error = error.cloned();
            row.last_validated_at = Some(now);
        }
        Ok(())
    }

    async fn secret(
        &self,
        _org: &str,
        owner: &str,
        field: Field,
    ) -> Result<Option<String>, ApiError> {
        self.failing("secret")?;
        let value = self.secret_of(owner, field);
        let key = (owner.to_owned(), field.name());
        if let Some(next) = self.written_after_read.borrow_mut().remove(&key) {
            self.secrets.borrow_mut().insert(key, next);
        }
        Ok(value)
    }

    async fn cache_token(
        &self,
        _org: &str,
        id: &str,
        token: &TokenResponse,
    ) -> Result<(), ApiError> {
        self.put_secrets(
            id,
            &[(Field::AccessToken, token.access_token.expose().to_owned())],
        );
        self.token_expiry
            .borrow_mut()
            .insert(id.to_owned(), i64::try_from(token.expires_at).unwrap_or(0));
        Ok(())
    }

    async fn drop_cached_token(&self, id: &str) -> Result<(), ApiError> {
        self.secrets
            .borrow_mut()
            .remove(&(id.to_owned(), Field::AccessToken.name()));
        Ok(())
    }

    async fn store_tokens(
        &self,
        _org: &str,
        id: &str,
        refresh: &RefreshToken,
        token: &TokenResponse,
    ) -> Result<(), ApiError> {
        self.put_secrets(
            id,
            &[
                (Field::RefreshToken, refresh.expose().to_owned()),
                (Field::AccessToken, token.access_token.expose().to_owned()),
            ],
        );
        Ok(())
    }

    async fn audit(&self, e: AuditEvent<'_>) -> Result<(), ApiError> {
        self.failing("audit")?;
        self.audit.borrow_mut().push(Audited {
            action: e.action.to_owned(),
            outcome: e.outcome.to_owned(),
            detail: e.detail,
        });
        Ok(())
    }
}

impl SignInStore for MemoryStore {
    async fn insert_sign_in(
        &self,
        p: &NewSignIn<'_>,
        verifier: &str,
        audit: AuditEvent<'_>,
    ) -> Result<(), ApiError> {
        self.failing("insert_sign_in")?;
        self.sign_ins.borrow_mut().push((
            p.state_hash.to_owned(),
            PendingSignIn {
                id: p.id.to_owned(),
                browser_hash: p.browser_hash.to_owned(),
                org_id: p.org_id.to_owned(),
                ty: p.ty,
                name: p.name.to_owned(),
                description: p.description.map(str::to_owned),
                tenant: p.tenant.to_owned(),
                endpoint: p.endpoint.map(str::to_owned),
                reconnect_id: p.reconnect_id.map(str::to_owned),
                expires_at: p.expires_at,
                used_at: None,
                created_by: Some(p.created_by.to_owned()),
            },
        ));
        self.put_secrets(p.id, &[(Field::CodeVerifier, verifier.to_owned())]);
        self.audit(audit).await
    }

    async fn sign_in_by_state(&self, state_hash: &str) -> Result<Option<PendingSignIn>, ApiError> {
        Ok(self
            .sign_ins
            .borrow()
            .iter()
            .find(|(h, _)| h == state_hash)
            .map(|(_, p)| p.clone()))
    }

    async fn claim_sign_in(&self, id: &str, now: i64) -> Result<bool, ApiError> {
        let mut sign_ins = self.sign_ins.borrow_mut();
        match sign_ins.iter_mut().find(|(_, p)| p.id == id) {
            Some((_, p)) if p.used_at.is_none() => {
                p.used_at = Some(now);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn drop_verifier(&self, sign_in: &str) -> Result<(), ApiError> {
        self.secrets.borrow_mut().retain(|(o, _), _| o != sign_in);
        Ok(())
    }

    async fn reconnect(
        &self,
        _org: &str,
        id: &str,
        tenant_id: &str,
        _credential_info: &Value,
        _now: i64,
    ) -> Result<(), ApiError> {
        self.reconnects
            .borrow_mut()
            .push((id.to_owned(), tenant_id.to_owned()));
        Ok(())
    }
}

impl TokenStore for MemoryStore {
    async fn cached_token(
        &self,
        _org: &str,
        id: &str,
    ) -> Result<Option<(AccessToken, i64)>, ApiError> {
        let exp = self.token_expiry.borrow().get(id).copied();
        match (self.secret_of(id, Field::AccessToken), exp) {
            (Some(t), Some(exp)) => Ok(Some((AccessToken::parse(&t)?, exp))),
            _ => Ok(None),
        }
    }

    async fn take_lease(
        &self,
        _connection: &str,
        holder: &str,
        now: i64,
        until: i64,
    ) -> Result<bool, ApiError> {
        let mut lease = self.lease.borrow_mut();
        match &*lease {
            Some((_, exp)) if *exp > now => Ok(false),
            _ => {
                *lease = Some((holder.to_owned(), until));
                Ok(true)
            }
        }
    }

    async fn release_lease(&self, _connection: &str, holder: &str) -> Result<(), ApiError> {
        let mut lease = self.lease.borrow_mut();
        if lease.as_ref().is_some_and(|(h, _)| h == holder) {
            *lease = None;
        }
        Ok(())
    }

    async fn mark_needs_reauth(&self, id: &str, e: &Error, _now: i64) -> Result<(), ApiError> {
        if let Some(row) = self
            .connections
            .borrow_mut()
            .iter_mut()
            .find(|c| c.id == id)
        {
            row.status = ConnectionStatus::NeedsReauth;
            row.last_error = Some(e.clone());
        }
        Ok(())
    }

    async fn bump_version(&self, id: &str, version: i64) -> Result<bool, ApiError> {
        let mut rows = self.connections.borrow_mut();
        let Some(row) = rows.iter_mut().find(|c| c.id == id) else {
            return Ok(false);
        };
        if self.concurrent_write.get() {
            row.version += 1;
        }
        if row.version != version {
            return Ok(false);
        }
        row.version += 1;
        Ok(true)
    }
}

/// A token source that answers one scripted outcome.
pub struct FakeTokens(pub Result<String, Error>);

impl Tokens for FakeTokens {
    async fn token(&self, _row: &Connection) -> Result<AccessToken, ApiError> {
        match &self.0 {
            Ok(t) => Ok(AccessToken::parse(t)?),
            Err(e) => Err(e.clone().into()),
        }
    }
}

/// The configuration of a site with the Client Secrets OAuth app (`APP`, `SECRET`).
pub fn oauth_config() -> crate::config::Config {
    let vars = [
        ("SITE_URL", "https://azconn.example.com"),
        (
            "AZCONN_ENCRYPTION_KEYS",
            "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        ),
        ("INF_APP_CONNECTION_AZURE_CLIENT_SECRETS_CLIENT_ID", APP),
        (
            "INF_APP_CONNECTION_AZURE_CLIENT_SECRETS_CLIENT_SECRET",
            SECRET,
        ),
    ];
    crate::config::Config::parse(&|k| {
        vars.iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| (*v).to_owned())
    })
    .expect("config")
}

/// The object id and client id of the app registration whose secrets a rotation rotates.
pub const TARGET_OBJECT: &str = "0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f";
pub const TARGET_APP: &str = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f";

/// One password credential of the fake app.
#[derive(Debug, Clone)]
pub struct FakeCredential {
    pub key_id: String,
    pub display_name: String,
    pub starts_at: i64,
}

/// An app registration as Graph keeps it: `GET` (by object id or app id), `addPassword` (the
/// secret text is `rotated-secret-<n>`), `removePassword` (400 for an unknown keyId, as Graph).
pub struct FakeApp {
    pub creds: Vec<FakeCredential>,
    added: u32,
}

impl FakeApp {
    /// An app with these credentials (display name, age in days).
    pub fn with(creds: &[(&str, &str, i64)]) -> FakeApp {
        FakeApp {
            creds: creds
                .iter()
                .map(|(key_id, name, age_days)| FakeCredential {
                    key_id: (*key_id).to_owned(),
                    display_name: (*name).to_owned(),
                    starts_at: NOW - age_days * 86_400,
                })
                .collect(),
            added: 0,
        }
    }

    pub fn key_ids(&self) -> Vec<String> {
        self.creds.iter().map(|c| c.key_id.clone()).collect()
    }

    /// The key id of the `n`th secret `addPassword` created.
    pub fn added_key(n: u32) -> String {
        format!("aaaaaaaa-0000-4000-8000-{n:012}")
    }

    fn handle(&mut self, req: &HttpRequest, now: i64) -> HttpResponse {
        use azconn_core::datetime::format_rfc3339;
        let path = req.url.split("/v1.0").nth(1).unwrap_or_default();
        let path = path.split('?').next().unwrap_or_default();
        let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
        let this_app = format!("/applications/{TARGET_OBJECT}");
        let by_app_id = format!("/applications(appId='{TARGET_APP}')");
        let Some(op) = path
            .strip_prefix(&this_app)
            .or_else(|| path.strip_prefix(&by_app_id))
        else {
            return HttpResponse::new(
                404,
                json!({ "error": { "code": "Request_ResourceNotFound", "message": "Resource does not exist." } }).to_string(),
            );
        };
        match (req.method.as_str(), op) {
            ("GET", "") => {
                let creds: Vec<Value> = self
                    .creds
                    .iter()
                    .map(|c| {
                        json!({ "keyId": c.key_id, "displayName": c.display_name, "hint": "sec",
                            "startDateTime": format_rfc3339(c.starts_at),
                            "endDateTime": format_rfc3339(c.starts_at + 400 * 86_400), "secretText": null })
                    })
                    .collect();
                HttpResponse::new(
                    200,
                    json!({ "id": TARGET_OBJECT, "appId": TARGET_APP, "displayName": "payroll",
                        "passwordCredentials": creds })
                    .to_string(),
                )
            }
            ("POST", "/addPassword") => {
                self.added += 1;
                let key_id = FakeApp::added_key(self.added);
                let pc = &body["passwordCredential"];
                let name = pc["displayName"].as_str().unwrap_or_default().to_owned();
                self.creds.push(FakeCredential {
                    key_id: key_id.clone(),
                    display_name: name.clone(),
                    starts_at: now,
                });
                HttpResponse::new(
                    200,
                    json!({ "keyId": key_id, "displayName": name, "hint": "rot",
                        "startDateTime": format_rfc3339(now), "endDateTime": pc["endDateTime"],
                        "secretText": format!("rotated-secret-{}", self.added) })
                    .to_string(),
                )
            }
            ("POST", "/removePassword") => {
                let key_id = body["keyId"].as_str().unwrap_or_default();
                let before = self.creds.len();
                self.creds.retain(|c| c.key_id != key_id);
                if self.creds.len() < before {
                    HttpResponse::new(204, "")
                } else {
                    HttpResponse::new(
                        400,
                        json!({ "error": { "code": "Request_BadRequest", "message": "No password credential found with keyId." } }).to_string(),
                    )
                }
            }
            _ => HttpResponse::new(405, ""),
        }
    }
}

/// The rotations of [`MemoryStore`]: rows, and the expiry of each current secret.
#[derive(Default)]
pub struct MemoryRotations {
    pub rows: RefCell<Vec<RotationRecord>>,
    pub leftovers: RefCell<Vec<RotationLeftover>>,
    pub current_expiry: RefCell<BTreeMap<String, Option<i64>>>,
    /// The step of every `rotation_step` call, in order (`None`: the run stopped).
    pub steps: RefCell<Vec<Option<String>>>,
}

impl MemoryStore {
    pub fn rotation_row(&self, id: &str) -> Option<RotationRecord> {
        self.rotations
            .rows
            .borrow()
            .iter()
            .find(|r| r.id == id)
            .cloned()
    }

    fn with_rotation(&self, id: &str, f: impl FnOnce(&mut RotationRecord)) {
        if let Some(r) = self
            .rotations
            .rows
            .borrow_mut()
            .iter_mut()
            .find(|r| r.id == id)
        {
            f(r);
        }
    }
}

impl RotationStore for MemoryStore {
    async fn rotation(&self, org: &str, id: &str) -> Result<Option<RotationRecord>, ApiError> {
        self.failing("rotation")?;
        Ok(self.rotation_row(id).filter(|r| r.org_id == org))
    }

    async fn rotation_named(
        &self,
        org: &str,
        name: &str,
    ) -> Result<Option<RotationRecord>, ApiError> {
        Ok(self
            .rotations
            .rows
            .borrow()
            .iter()
            .find(|r| r.org_id == org && r.name == name)
            .cloned())
    }

    async fn rotation_for_app(
        &self,
        org: &str,
        app_id: &str,
    ) -> Result<Option<RotationRecord>, ApiError> {
        Ok(self
            .rotations
            .rows
            .borrow()
            .iter()
            .find(|r| r.org_id == org && r.target.as_ref().is_some_and(|t| t.app_id == app_id))
            .cloned())
    }

    /// Refuses a second rotation of one app in one organization, as the UNIQUE index does.
    async fn insert_rotation(
        &self,
        r: &NewRotation<'_>,
        state: &str,
    ) -> Result<Result<(), Taken>, ApiError> {
        self.failing("insert_rotation")?;
        self.concurrent_insert();
        if self
            .rotation_for_app(r.org_id, &r.target.app_id)
            .await?
            .is_some()
        {
            return Ok(Err(Taken::TargetApp));
        }
        if self.rotation_named(r.org_id, r.name).await?.is_some() {
            return Ok(Err(Taken::Name));
        }
        self.rotations.rows.borrow_mut().push(RotationRecord {
            id: r.id.to_owned(),
            org_id: r.org_id.to_owned(),
            name: r.name.to_owned(),
            description: r.description.map(str::to_owned),
            connection_id: r.connection_id.to_owned(),
            target: Some(r.target.clone()),
            lifetime_days: r.lifetime_days,
            interval_days: r.interval_days,
            keep: r.keep,
            status: RotationStatus::Pending,
            last_error: None,
            current_key_id: None,
            current_hint: None,
            current_expires_at: None,
            next_rotation_at: r.next_rotation_at,
            last_attempt_at: None,
            last_success_at: None,
            step: None,
            auto_rotation: r.auto_rotation,
            rotate_at_hours: i64::from(r.rotate_at.hours()),
            rotate_at_minutes: i64::from(r.rotate_at.minutes()),
            version: 1,
            created_at: r.now,
            updated_at: r.now,
        });
        self.put_secrets(r.id, &[(Field::RotationState, state.to_owned())]);
        Ok(Ok(()))
    }

    async fn persist_rotation(
        &self,
        _org: &str,
        id: &str,
        state: &str,
        status: RotationStatus,
        now: i64,
    ) -> Result<(), ApiError> {
        self.failing("persist_rotation")?;
        self.put_secrets(id, &[(Field::RotationState, state.to_owned())]);
        self.with_rotation(id, |r| {
            r.status = status;
            r.updated_at = now;
        });
        Ok(())
    }

    async fn rotation_step(&self, id: &str, step: Option<&str>) -> Result<(), ApiError> {
        self.rotations
            .steps
            .borrow_mut()
            .push(step.map(str::to_owned));
        self.with_rotation(id, |r| r.step = step.map(str::to_owned));
        Ok(())
    }

    async fn claim_rotation(&self, id: &str, now: i64, stale_secs: i64) -> Result<bool, ApiError> {
        let mut claimed = false;
        self.with_rotation(id, |r| {
            if r.status != RotationStatus::Running || r.updated_at < now - stale_secs {
                r.status = RotationStatus::Running;
                r.updated_at = now;
                claimed = true;
            }
        });
        Ok(claimed)
    }

    async fn rotation_running(&self, id: &str) -> Result<bool, ApiError> {
        Ok(self
            .rotation_row(id)
            .is_some_and(|r| r.status == RotationStatus::Running))
    }

    async fn fail_rotation(
        &self,
        id: &str,
        status: RotationStatus,
        e: &Error,
        now: i64,
    ) -> Result<(), ApiError> {
        self.with_rotation(id, |r| {
            r.status = status;
            r.last_error = Some(e.clone());
            r.updated_at = now;
        });
        Ok(())
    }

    async fn publish_secret(
        &self,
        _org: &str,
        id: &str,
        secret: &PublishedSecret<'_>,
        now: i64,
    ) -> Result<(), ApiError> {
        self.failing("publish_secret")?;
        self.put_secrets(id, &[(Field::CurrentSecret, secret.value.to_owned())]);
        self.rotations
            .current_expiry
            .borrow_mut()
            .insert(id.to_owned(), secret.ends_at);
        self.with_rotation(id, |r| {
            r.current_key_id = Some(secret.key_id.to_owned());
            r.current_hint = Some(secret.hint.to_owned());
            r.current_expires_at = secret.ends_at.map(|e| e.to_string());
            r.updated_at = now;
        });
        Ok(())
    }

    async fn current_secret(
        &self,
        _org: &str,
        id: &str,
    ) -> Result<Option<(String, Option<i64>)>, ApiError> {
        let expiry = self
            .rotations
            .current_expiry
            .borrow()
            .get(id)
            .copied()
            .flatten();
        Ok(self
            .secret_of(id, Field::CurrentSecret)
            .map(|v| (v, expiry)))
    }

    async fn attempt_rotation(&self, id: &str, now: i64) -> Result<(), ApiError> {
        self.with_rotation(id, |r| r.last_attempt_at = Some(now));
        Ok(())
    }

    async fn schedule_rotation(
        &self,
        id: &str,
        next: Option<i64>,
        now: i64,
    ) -> Result<(), ApiError> {
        self.with_rotation(id, |r| {
            r.last_success_at = Some(now);
            r.last_error = None;
            r.next_rotation_at = next;
        });
        Ok(())
    }

    async fn update_rotation(
        &self,
        org: &str,
        id: &str,
        state: &str,
        x: &RotationSettings,
    ) -> Result<Result<bool, Taken>, ApiError> {
        if self
            .rotation_named(org, &x.name)
            .await?
            .is_some_and(|r| r.id != id)
        {
            return Ok(Err(Taken::Name));
        }
        let mut written = false;
        self.with_rotation(id, |r| {
            if self.concurrent_write.get() {
                r.version += 1;
            }
            if r.version == x.version
                && r.status != RotationStatus::Running
                && r.last_success_at == x.last_success_at
            {
                r.lifetime_days = x.lifetime_days;
                r.interval_days = x.interval_days;
                r.keep = x.keep;
                r.auto_rotation = x.auto_rotation;
                r.rotate_at_hours = i64::from(x.rotate_at.hours());
                r.rotate_at_minutes = i64::from(x.rotate_at.minutes());
                r.next_rotation_at = x.next_rotation_at;
                r.name.clone_from(&x.name);
                r.description.clone_from(&x.description);
                r.version += 1;
                r.updated_at = x.now;
                written = true;
            }
        });
        if written {
            self.put_secrets(id, &[(Field::RotationState, state.to_owned())]);
        }
        Ok(Ok(written))
    }

    async fn delete_rotation(
        &self,
        org: &str,
        id: &str,
        left_at: Option<i64>,
    ) -> Result<(), ApiError> {
        let row = self.rotation_row(id).filter(|r| r.org_id == org);
        if let (Some(r), Some(at)) = (&row, left_at)
            && r.target.is_some()
        {
            self.rotations
                .leftovers
                .borrow_mut()
                .push(RotationLeftover {
                    id: r.id.clone(),
                    org_id: r.org_id.clone(),
                    name: r.name.clone(),
                    connection_id: r.connection_id.clone(),
                    target: r.target.clone(),
                    deleted_at: at,
                });
        }
        self.rotations
            .rows
            .borrow_mut()
            .retain(|r| !(r.id == id && r.org_id == org));
        self.secrets.borrow_mut().retain(|(o, _), _| o != id);
        self.syncs
            .bindings
            .borrow_mut()
            .retain(|(o, _, _, r)| !(o == org && r == id));
        Ok(())
    }

    async fn rotation_leftovers(&self, org: &str) -> Result<Vec<RotationLeftover>, ApiError> {
        let mut rows: Vec<RotationLeftover> = self
            .rotations
            .leftovers
            .borrow()
            .iter()
            .filter(|l| l.org_id == org)
            .cloned()
            .collect();
        rows.sort_by(|a, b| b.deleted_at.cmp(&a.deleted_at).then(a.id.cmp(&b.id)));
        Ok(rows)
    }

    async fn rotation_leftover(
        &self,
        org: &str,
        id: &str,
    ) -> Result<Option<RotationLeftover>, ApiError> {
        Ok(self
            .rotations
            .leftovers
            .borrow()
            .iter()
            .find(|l| l.id == id && l.org_id == org)
            .cloned())
    }

    async fn delete_rotation_leftover(&self, org: &str, id: &str) -> Result<bool, ApiError> {
        let mut rows = self.rotations.leftovers.borrow_mut();
        let before = rows.len();
        rows.retain(|l| !(l.id == id && l.org_id == org));
        Ok(rows.len() < before)
    }

    async fn due_rotations(
        &self,
        now: i64,
        stale_secs: i64,
    ) -> Result<Vec<RotationRecord>, ApiError> {
        let mut due: Vec<RotationRecord> = self
            .rotations
            .rows
            .borrow()
            .iter()
            .filter(|r| {
                r.auto_rotation
                    && r.next_rotation_at.is_some_and(|n| n <= now)
                    && (r.status != RotationStatus::Running || r.updated_at < now - stale_secs)
            })
            .cloned()
            .collect();
        due.sort_by_key(|r| r.next_rotation_at);
        due.truncate(10);
        Ok(due)
    }
}

/// `%XX` escapes decoded (the fake store reads keys and filters from URLs).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One key-value of the fake store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKv {
    pub key: String,
    pub label: Option<String>,
    pub value: String,
    pub content_type: Option<String>,
    pub etag: String,
    pub tags: BTreeMap<String, String>,
}

/// An App Configuration store as its data plane keeps it: list by key prefix and label, and
/// conditional `PUT` and `DELETE` (`If-Match`, `If-None-Match: *`: 412 when they do not hold).
/// Every answer carries a `Sync-Token`, whose sequence number the next request must echo.
#[derive(Default)]
pub struct FakeStore {
    pub items: Vec<StoredKv>,
    writes: u32,
    /// The `Sync-Token` header of every request, in order.
    pub sync_tokens: Vec<Option<String>>,
}

impl FakeStore {
    /// A key that someone else wrote (no azconn tags), or one of sync `owner`'s.
    pub fn with(items: &[(&str, &str, Option<&str>)]) -> FakeStore {
        let mut store = FakeStore::default();
        for (key, value, owner) in items {
            let mut tags = BTreeMap::new();
            if let Some(o) = owner {
                tags.insert("managed-by".to_owned(), "azconn".to_owned());
                tags.insert("azconn-sync".to_owned(), (*o).to_owned());
            }
            store.writes += 1;
            store.items.push(StoredKv {
                key: (*key).to_owned(),
                label: None,
                value: (*value).to_owned(),
                content_type: None,
                etag: format!("etag-{}", store.writes),
                tags,
            });
        }
        store
    }

    pub fn get(&self, key: &str) -> Option<&StoredKv> {
        self.items.iter().find(|kv| kv.key == key)
    }

    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.items.iter().map(|kv| kv.key.clone()).collect();
        keys.sort();
        keys
    }

    fn json(kv: &StoredKv) -> Value {
        json!({ "key": kv.key, "label": kv.label, "value": kv.value, "content_type": kv.content_type,
            "etag": kv.etag, "last_modified": "2027-01-15T08:00:00+00:00", "locked": false, "tags": kv.tags })
    }

    fn answer(&self, status: u16, body: String) -> HttpResponse {
        let mut resp = HttpResponse::new(status, body);
        resp.headers.push((
            "sync-token".to_owned(),
            format!("jtqGc1I4=MDoyOA==;sn={}", self.writes),
        ));
        resp
    }

    fn precondition_failed(&self) -> HttpResponse {
        self.answer(
            412,
            json!({ "type": "https://azconfig.io/errors/precondition-failed", "title": "Precondition Failed", "status": 412 }).to_string(),
        )
    }

    fn handle(&mut self, req: &HttpRequest) -> HttpResponse {
        self.sync_tokens
            .push(req.header("sync-token").map(str::to_owned));
        let (path, query) = req.url.split_once(".io").map_or(("", ""), |(_, rest)| {
            rest.split_once('?').unwrap_or((rest, ""))
        });
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|p| p.strip_prefix(&format!("{name}=")))
                .map(percent_decode)
        };
        let label = param("label").filter(|l| l != "\0");
        let header = |name: &str| req.header(name).map(str::to_owned);
        if path == "/kv" {
            let key = param("key");
            let items: Vec<Value> = self
                .items
                .iter()
                .filter(|kv| match key.as_deref() {
                    None => true,
                    Some(k) => match k.strip_suffix('*') {
                        Some(prefix) => kv.key.starts_with(prefix),
                        None => kv.key == k,
                    },
                })
                .filter(|kv| param("label").is_none() || kv.label == label)
                .map(FakeStore::json)
                .collect();
            return self.answer(200, json!({ "items": items }).to_string());
        }
        let Some(key) = path.strip_prefix("/kv/").map(percent_decode) else {
            return self.answer(404, String::new());
        };
        let at = self
            .items
            .iter()
            .position(|kv| kv.key == key && kv.label == label);
        let holds = match (header("if-match").as_deref(), at) {
            (Some("*"), found) => found.is_some(),
            (Some(etag), Some(i)) => etag.trim_matches('"') == self.items[i].etag,
            (Some(_), None) => false,
            (None, found) => !(header("if-none-match").as_deref() == Some("*") && found.is_some()),
        };
        if !holds {
            return self.precondition_failed();
        }
        match req.method.as_str() {
            "PUT" => {
                let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
                self.writes += 1;
                let kv = StoredKv {
                    key,
                    label,
                    value: body["value"].as_str().unwrap_or_default().to_owned(),
                    content_type: body["content_type"].as_str().map(str::to_owned),
                    etag: format!("etag-{}", self.writes),
                    tags: serde_json::from_value(body["tags"].clone()).unwrap_or_default(),
                };
                let json = FakeStore::json(&kv);
                match at {
                    Some(i) => self.items[i] = kv,
                    None => self.items.push(kv),
                }
                self.answer(200, json.to_string())
            }
            "DELETE" => match at {
                Some(i) => {
                    self.writes += 1;
                    let kv = self.items.remove(i);
                    self.answer(200, FakeStore::json(&kv).to_string())
                }
                None => self.answer(204, String::new()),
            },
            _ => self.answer(405, String::new()),
        }
    }
}

/// The syncs of [`MemoryStore`] and their runs.
#[derive(Default)]
pub struct MemorySyncs {
    pub rows: RefCell<Vec<Sync>>,
    /// (sync id, run).
    pub runs: RefCell<Vec<(String, SyncRun)>>,
    /// (org, sync id, name, rotation id).
    pub bindings: RefCell<Vec<(String, String, String, String)>>,
}

impl MemoryStore {
    pub fn sync_row(&self, id: &str) -> Option<Sync> {
        self.syncs
            .rows
            .borrow()
            .iter()
            .find(|x| x.id == id)
            .cloned()
    }

    pub fn runs_of(&self, sync_id: &str) -> Vec<SyncRun> {
        self.syncs
            .runs
            .borrow()
            .iter()
            .filter(|(s, _)| s == sync_id)
            .map(|(_, r)| r.clone())
            .collect()
    }
}

impl SyncStore for MemoryStore {
    async fn sync(&self, org: &str, id: &str) -> Result<Option<Sync>, ApiError> {
        self.failing("sync")?;
        Ok(self.sync_row(id).filter(|x| x.org_id == org))
    }

    async fn sync_named(&self, org: &str, name: &str) -> Result<Option<Sync>, ApiError> {
        Ok(self
            .syncs
            .rows
            .borrow()
            .iter()
            .find(|x| x.org_id == org && x.name == name)
            .cloned())
    }

    /// Refuses a taken name, as the UNIQUE index does.
    async fn insert_sync(&self, x: &NewSync<'_>) -> Result<Result<(), Taken>, ApiError> {
        self.failing("insert_sync")?;
        self.concurrent_insert();
        if self.sync_named(x.org_id, x.name).await?.is_some() {
            return Ok(Err(Taken::Name));
        }
        self.syncs.rows.borrow_mut().push(Sync {
            id: x.id.to_owned(),
            org_id: x.org_id.to_owned(),
            name: x.name.to_owned(),
            description: x.description.map(str::to_owned),
            connection_id: x.connection_id.to_owned(),
            endpoint: x.endpoint.to_owned(),
            label: x.label.map(str::to_owned),
            key_prefix: x.key_prefix.to_owned(),
            key_suffix: x.key_suffix.to_owned(),
            mode: x.mode,
            disable_secret_deletion: x.disable_secret_deletion,
            version: 1,
            created_at: x.now,
            updated_at: x.now,
        });
        Ok(Ok(()))
    }

    async fn delete_sync(&self, org: &str, id: &str) -> Result<(), ApiError> {
        self.syncs
            .rows
            .borrow_mut()
            .retain(|x| !(x.id == id && x.org_id == org));
        self.syncs.runs.borrow_mut().retain(|(s, _)| s != id);
        self.syncs
            .bindings
            .borrow_mut()
            .retain(|(o, s, _, _)| !(o == org && s == id));
        Ok(())
    }

    async fn bind_rotation_keys(
        &self,
        org: &str,
        sync_id: &str,
        bindings: &[(String, String)],
    ) -> Result<(), ApiError> {
        self.failing("bind_rotation_keys")?;
        let mut rows = self.syncs.bindings.borrow_mut();
        rows.retain(|(o, s, _, _)| !(o == org && s == sync_id));
        rows.extend(bindings.iter().map(|(name, rotation)| {
            (
                org.to_owned(),
                sync_id.to_owned(),
                name.clone(),
                rotation.clone(),
            )
        }));
        Ok(())
    }

    async fn bound_to_rotation(
        &self,
        org: &str,
        rotation_id: &str,
    ) -> Result<Vec<(Sync, Vec<String>)>, ApiError> {
        self.failing("bound_to_rotation")?;
        let mut out: Vec<(Sync, Vec<String>)> = Vec::new();
        for (o, sync_id, name, rotation) in self.syncs.bindings.borrow().iter() {
            if o != org || rotation != rotation_id {
                continue;
            }
            let Some(row) = self.sync_row(sync_id).filter(|x| x.org_id == org) else {
                continue;
            };
            match out.iter_mut().find(|(x, _)| x.id == row.id) {
                Some((_, names)) => names.push(name.clone()),
                None => out.push((row, vec![name.clone()])),
            }
        }
        Ok(out)
    }

    async fn update_sync(
        &self,
        org: &str,
        id: &str,
        x: &SyncSettings<'_>,
    ) -> Result<Result<bool, Taken>, ApiError> {
        if self
            .sync_named(org, x.name)
            .await?
            .is_some_and(|r| r.id != id)
        {
            return Ok(Err(Taken::Name));
        }
        let mut rows = self.syncs.rows.borrow_mut();
        let Some(row) = rows.iter_mut().find(|r| r.id == id && r.org_id == org) else {
            return Ok(Ok(false));
        };
        if self.concurrent_write.get() {
            row.version += 1;
        }
        if row.version != x.version {
            return Ok(Ok(false));
        }
        row.name = x.name.to_owned();
        row.description = x.description.map(str::to_owned);
        row.label = x.label.map(str::to_owned);
        row.key_prefix = x.key_prefix.to_owned();
        row.key_suffix = x.key_suffix.to_owned();
        row.mode = x.mode;
        row.disable_secret_deletion = x.disable_secret_deletion;
        row.version += 1;
        row.updated_at = x.now;
        Ok(Ok(true))
    }

    async fn last_success_at(&self, sync_id: &str) -> Result<Option<i64>, ApiError> {
        Ok(self
            .runs_of(sync_id)
            .into_iter()
            .rev()
            .find(|r| r.status == RunStatus::Succeeded)
            .and_then(|r| r.finished_at))
    }

    async fn last_run(&self, sync_id: &str) -> Result<Option<SyncRun>, ApiError> {
        Ok(self.runs_of(sync_id).pop())
    }

    async fn start_run(&self, id: &str, sync_id: &str, now: i64) -> Result<(), ApiError> {
        self.failing("start_run")?;
        self.syncs.runs.borrow_mut().push((
            sync_id.to_owned(),
            SyncRun {
                id: id.to_owned(),
                started_at: now,
                finished_at: None,
                status: RunStatus::Running,
                plan: None,
                result: None,
            },
        ));
        Ok(())
    }

    async fn finish_run(
        &self,
        id: &str,
        status: RunStatus,
        plan: Option<&Value>,
        result: &Value,
        now: i64,
    ) -> Result<(), ApiError> {
        if let Some((_, run)) = self
            .syncs
            .runs
            .borrow_mut()
            .iter_mut()
            .find(|(_, r)| r.id == id)
        {
            run.finished_at = Some(now);
            run.status = status;
            run.plan = plan.cloned();
            run.result = Some(result.clone());
        }
        Ok(())
    }
}

/// The `secrets` table as the re-seal sweep sees it (`crate::keys_at_rest`): sealed rows in
/// storage order, with a writer that can replace a row between the sweep's read and its write,
/// and writes that can be made to fail.
#[derive(Default)]
pub struct SealedRows {
    rows: RefCell<Vec<crate::keys_at_rest::SealedValue>>,
    between: RefCell<Option<crate::keys_at_rest::SealedValue>>,
    fail_writes: Cell<bool>,
    reads: Cell<u32>,
    asked: RefCell<Vec<Vec<u32>>>,
    cursor: Cell<i64>,
    rowids: Cell<i64>,
    audited: RefCell<Vec<(String, String, String, Value)>>,
    nonce: Cell<u8>,
}

impl SealedRows {
    fn sealed(
        &self,
        keyring: &crate::keyring::Keyring,
        org: &str,
        owner: &str,
        field: &str,
        value: &str,
    ) -> crate::keys_at_rest::SealedValue {
        self.nonce.set(self.nonce.get().wrapping_add(1));
        let aad = crate::keyring::aad(org, owner, field);
        self.rowids.set(self.rowids.get() + 1);
        crate::keys_at_rest::SealedValue {
            at: self.rowids.get(),
            org: org.to_owned(),
            owner: owner.to_owned(),
            field: field.to_owned(),
            sealed: keyring
                .seal(value, &aad, [self.nonce.get(); 12])
                .expect("seal"),
        }
    }

    /// Stores `value` sealed with `keyring`'s newest key, as the Worker's writes do.
    pub fn put(
        &self,
        keyring: &crate::keyring::Keyring,
        org: &str,
        owner: &str,
        field: &str,
        value: &str,
    ) {
        let row = self.sealed(keyring, org, owner, field, value);
        let mut rows = self.rows.borrow_mut();
        match rows
            .iter_mut()
            .find(|r| r.owner == owner && r.field == field)
        {
            Some(r) => *r = crate::keys_at_rest::SealedValue { at: r.at, ..row },
            None => rows.push(row),
        }
    }

    /// Another writer stores `value` right after the sweep's next read.
    pub fn write_between(
        &self,
        keyring: &crate::keyring::Keyring,
        org: &str,
        owner: &str,
        field: &str,
        value: &str,
    ) {
        *self.between.borrow_mut() = Some(self.sealed(keyring, org, owner, field, value));
    }

    /// Flips a byte of the row's ciphertext, so it no longer authenticates.
    pub fn corrupt(&self, owner: &str, field: &str) {
        let mut rows = self.rows.borrow_mut();
        if let Some(r) = rows
            .iter_mut()
            .find(|r| r.owner == owner && r.field == field)
        {
            let mut bytes = base64::engine::general_purpose::STANDARD
                .decode(&r.sealed.blob)
                .expect("blob");
            if let Some(last) = bytes.last_mut() {
                *last ^= 1;
            }
            r.sealed.blob = base64::engine::general_purpose::STANDARD.encode(bytes);
        }
    }

    pub fn fail_writes(&self) {
        self.fail_writes.set(true);
    }

    pub fn row(&self, owner: &str, field: &str) -> Option<crate::keys_at_rest::SealedValue> {
        self.rows
            .borrow()
            .iter()
            .find(|r| r.owner == owner && r.field == field)
            .cloned()
    }

    pub fn rows(&self) -> Vec<crate::keys_at_rest::SealedValue> {
        self.rows.borrow().clone()
    }

    /// The row's value opened with `keyring`.
    pub fn open(
        &self,
        keyring: &crate::keyring::Keyring,
        owner: &str,
        field: &str,
    ) -> Result<String, Error> {
        let r = self.row(owner, field).expect("row");
        keyring.open(&r.sealed, &crate::keyring::aad(&r.org, &r.owner, &r.field))
    }

    /// How many times the sweep read rows.
    pub fn reads(&self) -> u32 {
        self.reads.get()
    }

    /// The versions each read asked for.
    pub fn asked_versions(&self) -> Vec<Vec<u32>> {
        self.asked.borrow().clone()
    }

    /// `(org, actor, action, detail)` of each audit entry.
    pub fn audited(&self) -> Vec<(String, String, String, Value)> {
        self.audited.borrow().clone()
    }
}

impl crate::keys_at_rest::SealedStore for SealedRows {
    async fn count_by_version(&self) -> Result<BTreeMap<u32, u32>, ApiError> {
        let mut counts = BTreeMap::new();
        for r in self.rows.borrow().iter() {
            *counts.entry(r.sealed.key_version).or_default() += 1;
        }
        Ok(counts)
    }

    async fn sealed_under(
        &self,
        versions: &[u32],
        after: i64,
        limit: u32,
    ) -> Result<Vec<crate::keys_at_rest::SealedValue>, ApiError> {
        self.reads.set(self.reads.get() + 1);
        self.asked.borrow_mut().push(versions.to_vec());
        let rows: Vec<_> = self
            .rows
            .borrow()
            .iter()
            .filter(|r| r.at > after && versions.contains(&r.sealed.key_version))
            .take(limit as usize)
            .cloned()
            .collect();
        if let Some(w) = self.between.borrow_mut().take() {
            let mut all = self.rows.borrow_mut();
            if let Some(r) = all
                .iter_mut()
                .find(|r| r.owner == w.owner && r.field == w.field)
            {
                *r = crate::keys_at_rest::SealedValue { at: r.at, ..w };
            }
        }
        Ok(rows)
    }

    async fn sweep_cursor(&self) -> Result<i64, ApiError> {
        Ok(self.cursor.get())
    }

    async fn set_sweep_cursor(&self, after: i64) -> Result<(), ApiError> {
        self.cursor.set(after);
        Ok(())
    }

    async fn reseal(&self, batch: &[crate::keys_at_rest::Reseal]) -> Result<Vec<bool>, ApiError> {
        if self.fail_writes.get() {
            return Err(platform_failure("D1_ERROR: fake write failure"));
        }
        let mut rows = self.rows.borrow_mut();
        Ok(batch
            .iter()
            .map(|x| {
                match rows.iter_mut().find(|r| {
                    r.owner == x.read.owner && r.field == x.read.field && r.sealed == x.read.sealed
                }) {
                    Some(r) => {
                        r.sealed = x.sealed.clone();
                        true
                    }
                    None => false,
                }
            })
            .collect())
    }

    async fn audit(&self, e: AuditEvent<'_>) -> Result<(), ApiError> {
        self.audited.borrow_mut().push((
            e.org.to_owned(),
            e.actor.to_owned(),
            e.action.to_owned(),
            e.detail,
        ));
        Ok(())
    }
}
