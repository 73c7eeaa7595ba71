//! The secret fields the host stores (encrypted, `secrets` table), by name.

/// A secret field's name in `secrets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    ClientSecret,
    Certificate,
    PrivateKey,
    PrivateKeyPassphrase,
    AccessToken,
    RefreshToken,
    CodeVerifier,
    RotationState,
    CurrentSecret,
}

impl Field {
    /// The field's name in `secrets`, which is also its name in the connection form.
    pub fn name(self) -> &'static str {
        match self {
            Field::ClientSecret => "clientSecret",
            Field::Certificate => "certificate",
            Field::PrivateKey => "privateKey",
            Field::PrivateKeyPassphrase => "privateKeyPassphrase",
            Field::AccessToken => "accessToken",
            Field::RefreshToken => "refreshToken",
            Field::CodeVerifier => "codeVerifier",
            Field::RotationState => "state",
            Field::CurrentSecret => "currentSecret",
        }
    }
}
