//! OAuth 2.0 / OpenID Connect with Entra ID, one function per protocol step (in the style of
//! oauth4webapi): [`pkce`], [`random`] (state, nonce), [`authorize`] (authorize and
//! admin-consent URLs), [`callback`], [`token`] (requests and responses), [`entra_error`] and
//! [`jwt`] (unverified claims for display).

pub mod authorize;
pub mod callback;
pub mod entra_error;
pub mod jwt;
pub mod pkce;
pub mod random;
pub mod token;
