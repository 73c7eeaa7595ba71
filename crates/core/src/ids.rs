//! Identifiers Entra ID and Graph use, parsed once at the boundary.
//!
//! Each type can only hold a valid value. Parsing trims surrounding whitespace (people paste
//! from the portal) but rejects anything inside: a CR/LF in a tenant would otherwise end up in
//! a URL path (Infisical PR #4334's review found exactly that).

use crate::error::{Code, Error};
use crate::http::origin_host;
use crate::prelude::*;
use crate::text::{cat, decimal};
use core::fmt;
use serde::{Deserialize, Serialize};

/// A GUID in canonical lower-case `8-4-4-4-12` form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid([u8; 16]);

impl Guid {
    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (any hex case, surrounding whitespace ignored).
    pub fn parse(input: &str) -> Option<Guid> {
        let s = input.trim().as_bytes();
        if s.len() != 36 {
            return None;
        }
        let mut out = [0u8; 16];
        let mut nibbles = 0usize;
        for (i, &b) in s.iter().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                if b != b'-' {
                    return None;
                }
                continue;
            }
            let v = (b as char).to_digit(16)? as u8;
            out[nibbles / 2] |= if nibbles.is_multiple_of(2) { v << 4 } else { v };
            nibbles += 1;
        }
        Some(Guid(out))
    }

    /// A version-4 GUID from 16 bytes of entropy the caller drew (the core draws none).
    pub fn from_random(mut bytes: [u8; 16]) -> Guid {
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Guid(bytes)
    }
}

impl Guid {
    /// The lowercase hyphenated form, as `Display` writes it (without the formatting machinery:
    /// see `text.rs`). Lowercase hex into one buffer, written at once: `write!` per byte went
    /// through the formatting machinery sixteen times, most of the cost of an id crossing to
    /// JavaScript.
    pub fn to_text(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(36);
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out.push('-');
            }
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        out
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Guid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Guid {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Guid::parse(&s).ok_or_else(|| serde::de::Error::custom("expected a GUID"))
    }
}

/// Rejects control characters and reports blank input, the checks every identifier shares.
fn precheck<'a>(input: &'a str, field: &str, what: &str) -> Result<&'a str, Error> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Error::field(
            field,
            Code::Required,
            cat(&[what, " is required"]),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(Error::field(
            field,
            Code::InvalidCharacter,
            cat(&[what, " contains a control character (a line break?)"]),
        ));
    }
    Ok(s)
}

macro_rules! guid_id {
    ($(#[$doc:meta])* $name:ident, $field:literal, $what:literal, $hint:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
        #[serde(transparent)]
        pub struct $name(Guid);

        impl $name {
            #[doc = concat!("Parses ", $what, "; errors name the field `", $field, "`.")]
            pub fn parse(input: &str) -> Result<Self, Error> {
                let s = precheck(input, $field, $what)?;
                Guid::parse(s).map($name).ok_or_else(|| {
                    Error::field(
                        $field,
                        Code::InvalidFormat,
                        concat!($what, " must be a GUID like 00000000-0000-0000-0000-000000000000"),
                    )
                    .with_hint($hint)
                })
            }

            pub fn guid(&self) -> Guid {
                self.0
            }

            /// As `Display` writes it, without the formatting machinery (see `text.rs`).
            pub fn to_text(&self) -> String {
                self.0.to_text()
            }
        }

        impl From<Guid> for $name {
            fn from(g: Guid) -> Self {
                $name(g)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }
    };
}

guid_id!(
    /// The Application (client) ID of an app registration (`appId` in Graph).
    ClientId,
    "clientId",
    "the client ID",
    "copy the Application (client) ID from the app registration's Overview page"
);
guid_id!(
    /// The Object ID of an application object in Graph (`id`), not its `appId`.
    ObjectId,
    "objectId",
    "the object ID",
    "copy the Object ID from the app registration's Overview page"
);
guid_id!(
    /// The `keyId` of a password or key credential.
    KeyId,
    "keyId",
    "the key ID",
    "the Secret ID column under Certificates & secrets"
);

/// A specific directory: a tenant GUID or one of its verified domains
/// (`contoso.onmicrosoft.com`). Never `common`/`organizations`/`consumers`: client credentials
/// and admin consent need a real tenant (entra-docs `v2-oauth2-client-creds-grant-flow.md`).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[serde(try_from = "String", into = "String")]
pub enum TenantId {
    Guid(Guid),
    /// A lower-cased verified domain name.
    Domain(String),
}

const MULTI_TENANT: [&str; 3] = ["common", "organizations", "consumers"];

impl TenantId {
    pub fn parse(input: &str) -> Result<TenantId, Error> {
        const FIELD: &str = "tenantId";
        let s = precheck(input, FIELD, "the tenant ID")?;
        if let Some(g) = Guid::parse(s) {
            return Ok(TenantId::Guid(g));
        }
        let lower = s.to_ascii_lowercase();
        if MULTI_TENANT.contains(&lower.as_str()) {
            return Err(Error::field(
                FIELD,
                Code::NotAllowed,
                cat(&[
                    "`",
                    &lower,
                    "` is not a tenant: this method needs your directory's tenant ID",
                ]),
            )
            .with_hint(
                "use the Directory (tenant) ID GUID from Entra ID > Overview, or a verified domain",
            ));
        }
        if crate::ascii::has_any(s, b"/?#\\@: ") {
            return Err(Error::field(
                FIELD,
                Code::InvalidCharacter,
                "the tenant ID must be a GUID or a domain name, not a URL or path",
            )
            .with_hint("give only the tenant, e.g. contoso.onmicrosoft.com"));
        }
        match origin_host(&lower) {
            Ok(host)
                if crate::ascii::has_any(&host, b".")
                    && !host.starts_with('[')
                    && !is_numeric(&host) =>
            {
                Ok(TenantId::Domain(host))
            }
            _ => Err(Error::field(
                FIELD,
                Code::InvalidFormat,
                "the tenant ID must be a GUID or a verified domain such as contoso.onmicrosoft.com",
            )
            .with_hint("find it in Entra ID > Overview > Tenant ID")),
        }
    }

    /// The value as it goes into the authority path.
    pub fn as_path_segment(&self) -> String {
        self.to_text()
    }

    /// As `Display` writes it, without the formatting machinery (see `text.rs`).
    pub fn to_text(&self) -> String {
        match self {
            TenantId::Guid(g) => g.to_text(),
            TenantId::Domain(d) => d.clone(),
        }
    }
}

fn is_numeric(host: &str) -> bool {
    host.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl fmt::Debug for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TenantId({self})")
    }
}

impl TryFrom<String> for TenantId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        TenantId::parse(&s)
    }
}

impl From<TenantId> for String {
    fn from(t: TenantId) -> String {
        t.to_text()
    }
}

/// The `{tenant}` segment of an authority URL: a specific tenant, or one of the multi-tenant
/// aliases that only interactive (authorize) flows may use.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[serde(try_from = "String", into = "String")]
pub enum AuthorityTenant {
    Tenant(TenantId),
    /// Work/school accounts of any tenant.
    Organizations,
    /// Any account (`/common`).
    Common,
    /// Personal Microsoft accounts only: not useful for app connections, accepted for fidelity.
    Consumers,
}

impl AuthorityTenant {
    pub fn parse(input: &str) -> Result<AuthorityTenant, Error> {
        let s = precheck(input, "tenantId", "the tenant ID")?;
        match s.to_ascii_lowercase().as_str() {
            "common" => Ok(AuthorityTenant::Common),
            "organizations" => Ok(AuthorityTenant::Organizations),
            "consumers" => Ok(AuthorityTenant::Consumers),
            _ => TenantId::parse(s).map(AuthorityTenant::Tenant),
        }
    }

    /// The specific tenant, if this is one.
    pub fn tenant(&self) -> Option<&TenantId> {
        match self {
            AuthorityTenant::Tenant(t) => Some(t),
            _ => None,
        }
    }

    /// As `Display` writes it, without the formatting machinery (see `text.rs`).
    pub fn to_text(&self) -> String {
        match self {
            AuthorityTenant::Tenant(t) => t.to_text(),
            AuthorityTenant::Organizations => "organizations".to_owned(),
            AuthorityTenant::Common => "common".to_owned(),
            AuthorityTenant::Consumers => "consumers".to_owned(),
        }
    }
}

impl From<TenantId> for AuthorityTenant {
    fn from(t: TenantId) -> Self {
        AuthorityTenant::Tenant(t)
    }
}

impl fmt::Display for AuthorityTenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl fmt::Debug for AuthorityTenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthorityTenant({self})")
    }
}

impl TryFrom<String> for AuthorityTenant {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        AuthorityTenant::parse(&s)
    }
}

impl From<AuthorityTenant> for String {
    fn from(t: AuthorityTenant) -> String {
        t.to_text()
    }
}

/// A client secret value. Its `Debug` never shows it; it is only read through [`Self::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

/// Entra generates 40-character secrets; Graph's `secretText` is 16-64 characters. 256 leaves
/// room for other issuers without accepting a pasted file.
pub const CLIENT_SECRET_MAX_LEN: usize = 256;

impl ClientSecret {
    pub fn parse(input: &str) -> Result<ClientSecret, Error> {
        const FIELD: &str = "clientSecret";
        let s = precheck(input, FIELD, "the client secret")?;
        if s.len() > CLIENT_SECRET_MAX_LEN {
            return Err(Error::field(
                FIELD,
                Code::TooLong,
                cat(&[
                    "the client secret is at most ",
                    &decimal(CLIENT_SECRET_MAX_LEN as u64),
                    " characters",
                ]),
            ));
        }
        if s.chars().any(char::is_whitespace) {
            return Err(Error::field(
                FIELD,
                Code::InvalidCharacter,
                "the client secret contains a space; secrets never do",
            )
            .with_hint("copy the secret's Value again, without surrounding text"));
        }
        if Guid::parse(s).is_some() {
            // AADSTS7000215: "Ensure the secret being sent in the request is the client secret
            // value, not the client secret ID" (hashicorp/terraform-provider-vault#2079).
            return Err(Error::field(
                FIELD,
                Code::SecretLooksLikeId,
                "this looks like the secret's ID, not its value",
            )
            .with_hint(
                "in Certificates & secrets, copy the Value column (shown only when the secret is created), not the Secret ID",
            ));
        }
        Ok(ClientSecret(s.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Zeroed when dropped: the value is a credential.
impl Drop for ClientSecret {
    fn drop(&mut self) {
        crate::wipe::string(&mut self.0);
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const G: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    #[test]
    fn guid_round_trips_in_canonical_form() {
        let g = Guid::parse("  72F988BF-86F1-41AF-91AB-2D7CD011DB47\n").unwrap();
        assert_eq!(g.to_string(), G);
        for bad in [
            "",
            "72f988bf86f141af91ab2d7cd011db47",
            "{72f988bf-86f1-41af-91ab-2d7cd011db47}",
            "72f988bf-86f1-41af-91ab-2d7cd011db4g",
            "72f988bf-86f1-41af-91ab_2d7cd011db47",
            "72f988bf-86f1-41af-91ab-2d7cd011db477",
            "ｇ2f988bf-86f1-41af-91ab-2d7cd011db4",
        ] {
            assert!(Guid::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn random_guid_is_version_4() {
        let g = Guid::from_random([0xff; 16]).to_string();
        assert_eq!(&g[14..15], "4");
        assert_eq!(&g[19..20], "b");
    }

    #[test]
    fn tenant_accepts_guid_and_verified_domain() {
        assert_eq!(
            TenantId::parse(G).unwrap(),
            TenantId::Guid(Guid::parse(G).unwrap())
        );
        assert_eq!(
            TenantId::parse(" Contoso.OnMicrosoft.com ")
                .unwrap()
                .to_string(),
            "contoso.onmicrosoft.com"
        );
    }

    #[test]
    fn tenant_rejects_multi_tenant_aliases_and_junk() {
        let cases = [
            ("", Code::Required),
            ("   ", Code::Required),
            ("common", Code::NotAllowed),
            ("Organizations", Code::NotAllowed),
            ("consumers", Code::NotAllowed),
            ("contoso.onmicrosoft.com/oauth2", Code::InvalidCharacter),
            (
                "https://login.microsoftonline.com/contoso",
                Code::InvalidCharacter,
            ),
            ("../common", Code::InvalidCharacter),
            ("contoso\r\n.com", Code::InvalidCharacter),
            ("contoso", Code::InvalidFormat),
            ("1.2.3.4", Code::InvalidFormat),
            ("-bad.example", Code::InvalidFormat),
            ("bücher.example", Code::InvalidFormat),
            ("72f988bf-86f1-41af-91ab-2d7cd011db4", Code::InvalidFormat),
        ];
        for (input, code) in cases {
            let e = TenantId::parse(input).unwrap_err();
            assert_eq!(e.code, code, "{input:?}: {e}");
            assert_eq!(e.field.as_deref(), Some("tenantId"));
        }
        let long = format!("{}.example", "a".repeat(300));
        assert_eq!(
            TenantId::parse(&long).unwrap_err().code,
            Code::InvalidFormat
        );
    }

    #[test]
    fn authority_tenant_allows_aliases() {
        assert_eq!(
            AuthorityTenant::parse("COMMON").unwrap(),
            AuthorityTenant::Common
        );
        assert_eq!(
            AuthorityTenant::parse("organizations").unwrap().to_string(),
            "organizations"
        );
        assert_eq!(
            AuthorityTenant::parse(G)
                .unwrap()
                .tenant()
                .unwrap()
                .to_string(),
            G
        );
        assert!(AuthorityTenant::parse("a/b").is_err());
    }

    #[test]
    fn client_id_errors_name_the_field() {
        let e = ClientId::parse("not-a-guid").unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::InvalidFormat, Some("clientId"))
        );
        assert!(e.hint.unwrap().contains("Application (client) ID"));
        assert_eq!(ClientId::parse("").unwrap_err().code, Code::Required);
        assert_eq!(ObjectId::parse(G).unwrap().to_string(), G);
        assert_eq!(
            KeyId::parse("x").unwrap_err().field.as_deref(),
            Some("keyId")
        );
    }

    #[test]
    fn secret_id_pasted_as_secret_gets_the_hint() {
        let e = ClientSecret::parse(G).unwrap_err();
        assert_eq!(e.code, Code::SecretLooksLikeId);
        assert!(e.hint.unwrap().contains("Value column"));
        let s = ClientSecret::parse("~JzD8e6S.tH~w8XRaNnKcb7W1fM4rCns7FYabcde").unwrap();
        assert_eq!(format!("{s:?}"), "ClientSecret(<redacted>)");
        assert_eq!(ClientSecret::parse("").unwrap_err().code, Code::Required);
        assert_eq!(
            ClientSecret::parse("a b").unwrap_err().code,
            Code::InvalidCharacter
        );
        assert_eq!(
            ClientSecret::parse("a\r\nb").unwrap_err().code,
            Code::InvalidCharacter
        );
        assert_eq!(
            ClientSecret::parse(&"x".repeat(257)).unwrap_err().code,
            Code::TooLong
        );
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in any::<String>()) {
            let _ = Guid::parse(&s);
            let _ = TenantId::parse(&s);
            let _ = AuthorityTenant::parse(&s);
            let _ = ClientId::parse(&s);
            let _ = ClientSecret::parse(&s);
        }

        #[test]
        fn guid_display_reparses(bytes in any::<[u8; 16]>()) {
            let g = Guid(bytes);
            prop_assert_eq!(Guid::parse(&g.to_string()), Some(g));
        }
    }
}
