//! Entra's token endpoint over the platform: a grant redeemed (authorization code, refresh
//! token) and app-only tokens (client credentials) with a client secret or a client assertion
//! the platform signs. The requests and their parsing are the core's.

use crate::platform::{Clock, Entropy, Outbound, Signer, random};
use azconn_core::cert::{Credential, CredentialInput};
use azconn_core::cloud::Cloud;
use azconn_core::error::Error;
use azconn_core::http::HttpRequest;
use azconn_core::ids::{AuthorityTenant, ClientId, ClientSecret, TenantId};
use azconn_core::jose::assertion::{self, Claims, Options};
use azconn_core::oauth::entra_error::parse_error_response;
use azconn_core::oauth::token::{
    ClientAssertion, ClientAuth, Grant, TokenResponse, parse_token_response, token_request,
};

/// The credential of an app-only connection.
pub enum AppCredential {
    Secret(ClientSecret),
    Certificate(CredentialInput),
}

/// The token endpoint's outcome: the parsed token, or Entra's error as the core classifies it.
pub async fn redeem<P: Outbound + Clock>(p: &P, req: &HttpRequest) -> Result<TokenResponse, Error> {
    let resp = p.execute(req).await?;
    if resp.is_success() {
        let now = u64::try_from(p.now()).unwrap_or(0);
        parse_token_response(&resp, now)
    } else {
        Err(match parse_error_response(&resp) {
            Ok(e) => e.into_error(),
            Err(e) => e,
        })
    }
}

/// A client assertion for `client_id` at `tenant`'s token endpoint, signed by the platform.
async fn sign_assertion<P: Clock + Entropy + Signer>(
    p: &P,
    cloud: &Cloud,
    tenant: &TenantId,
    client_id: &ClientId,
    input: &CredentialInput,
) -> Result<ClientAssertion, Error> {
    let now = p.now();
    let credential = Credential::load(input, now)?;
    let claims = Claims::new(cloud.endpoints(), tenant, *client_id, now, random::<16>(p)?);
    let unsigned = assertion::prepare(&credential, &claims, &Options::default())?;
    let sig = p
        .sign(
            &unsigned.algorithm.web_crypto(),
            credential.pkcs8_der(),
            unsigned.signing_input.as_bytes(),
        )
        .await?;
    ClientAssertion::parse(&unsigned.complete(&sig)?)
}

/// An app-only token for `scope` (client credentials).
pub async fn client_credentials<P: Clock + Entropy + Outbound + Signer>(
    p: &P,
    cloud: &Cloud,
    tenant: &TenantId,
    client_id: &ClientId,
    credential: &AppCredential,
    scope: String,
) -> Result<TokenResponse, Error> {
    let auth = match credential {
        AppCredential::Secret(s) => ClientAuth::Secret(s.clone()),
        AppCredential::Certificate(input) => {
            ClientAuth::Assertion(sign_assertion(p, cloud, tenant, client_id, input).await?)
        }
    };
    let req = token_request(
        cloud,
        &AuthorityTenant::from(tenant.clone()),
        client_id,
        &auth,
        &Grant::ClientCredentials { scope },
    )?;
    redeem(p, &req).await
}
