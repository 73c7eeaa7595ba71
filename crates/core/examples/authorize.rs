//! `make dev` until the Worker exists: builds a real "Connect to Azure" authorize URL with the
//! core, using OS randomness (the library itself never draws any) and shows what the caller must
//! keep for the callback. Set `AZCONN_CLIENT_ID` to your app registration's client ID to get a
//! URL you can open; `AZCONN_REDIRECT_URI` overrides the Worker's local callback.

use azconn_core::cloud::Cloud;
use azconn_core::form::ConnectionType;
use azconn_core::ids::{AuthorityTenant, ClientId};
use azconn_core::oauth::authorize::{
    AppConfigurationAudience, AuthorizeEntropy, AuthorizeParams, RedirectUri, authorize_url,
};
use std::io::Read;

/// A well-formed placeholder: Entra answers it with AADSTS700016 (app not found).
const PLACEHOLDER_CLIENT_ID: &str = "00001111-aaaa-2222-bbbb-3333cccc4444";

fn random<const N: usize>() -> std::io::Result<[u8; N]> {
    let mut buf = [0u8; N];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(buf)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let configured = std::env::var("AZCONN_CLIENT_ID").ok();
    let client_id = ClientId::parse(configured.as_deref().unwrap_or(PLACEHOLDER_CLIENT_ID))?;
    let redirect = std::env::var("AZCONN_REDIRECT_URI")
        .unwrap_or_else(|_| "http://localhost:8787/oauth/azure/callback".to_owned());
    let params = AuthorizeParams {
        cloud: Cloud::Global,
        tenant: AuthorityTenant::Organizations,
        client_id,
        redirect_uri: RedirectUri::parse(&redirect)?,
        connection_type: ConnectionType::AzureClientSecrets,
        audience: AppConfigurationAudience::Cloud,
        prompt: None,
        login_hint: None,
        domain_hint: None,
    };
    let entropy = AuthorizeEntropy {
        verifier: random::<32>()?,
        state: random::<32>()?.to_vec(),
        nonce: random::<32>()?.to_vec(),
    };
    let request = authorize_url(&params, &entropy)?;
    println!("azconn dev: built an Azure Client Secrets OAuth authorize URL with azconn-core");
    println!(
        "(global cloud, tenant `organizations`, PKCE S256, 32 random bytes each for verifier, state and nonce)\n"
    );
    println!(
        "Open this URL to sign in and consent:\n\n  {}\n",
        request.url
    );
    println!("Keep these server-side until the callback (single use):");
    println!("  code_verifier  {}", request.code_verifier.expose());
    println!("  state          {}", request.state.as_str());
    println!("  nonce          {}", request.nonce.as_str());
    println!("  redirect_uri   {}", request.redirect_uri);
    println!("  scopes         {}", request.scopes.join(" "));
    if configured.is_none() {
        println!(
            "\nNote: client ID {PLACEHOLDER_CLIENT_ID} is a placeholder (Entra will answer AADSTS700016).\n\
             Set AZCONN_CLIENT_ID to your app registration's Application (client) ID and register\n\
             {redirect} as a Web redirect URI on it."
        );
    }
    Ok(())
}
