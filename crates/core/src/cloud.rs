//! Azure clouds as data (protocols.md §1.1): where to sign in, where Graph and ARM live, which
//! hosts are App Configuration stores and which audience their tokens need.
//!
//! Sovereign clouds are rows in a table, not branches in code. A `Custom` cloud gives every
//! endpoint explicitly: that is how the local emulator, Azure Stack or a proxy are addressed.

use crate::error::{Code, Error, quoted};
use crate::http::Origin;
use crate::ids::AuthorityTenant;
use crate::prelude::*;
use crate::text::{cat, join};
use alloc::borrow::Cow;
use serde::{Deserialize, Serialize};

/// A named public cloud, or a custom one. Deserializes from a name (`"us-government"`) or the
/// tagged form (`{"kind":"custom",...}`); a custom cloud always goes through [`Cloud::custom`],
/// so JSON cannot smuggle in an `http` endpoint on a non-loopback host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "kebab-case", try_from = "CloudInput")]
pub enum Cloud {
    #[default]
    Global,
    /// Azure Government (GCC High, Graph L4).
    UsGovernment,
    /// Azure operated by 21Vianet.
    China,
    Custom(Box<CloudEndpoints>),
}

/// The unchecked wire shapes of [`Cloud`]: a name (also `public`, `usgov`, `azurechina`), or
/// the tagged form.
#[derive(Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(untagged)]
pub enum CloudInput {
    Name(String),
    Tagged(TaggedCloud),
}

/// A cloud by `{kind}`; a custom one with every endpoint (https unless loopback).
#[derive(Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TaggedCloud {
    Global,
    UsGovernment,
    China,
    Custom(Box<CloudEndpoints>),
}

impl TryFrom<CloudInput> for Cloud {
    type Error = Error;
    fn try_from(input: CloudInput) -> Result<Cloud, Error> {
        match input {
            CloudInput::Name(name) => Cloud::from_name(&name),
            CloudInput::Tagged(TaggedCloud::Global) => Ok(Cloud::Global),
            CloudInput::Tagged(TaggedCloud::UsGovernment) => Ok(Cloud::UsGovernment),
            CloudInput::Tagged(TaggedCloud::China) => Ok(Cloud::China),
            CloudInput::Tagged(TaggedCloud::Custom(e)) => Cloud::custom(*e),
        }
    }
}

/// A host pattern for App Configuration stores: `*.azconfig.io` matches `<store>.azconfig.io`
/// (label-boundary, at least one label before the suffix); a plain `host[:port]` matches only
/// itself (for loopback emulators and proxies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[serde(transparent)]
pub struct HostPattern(Cow<'static, str>);

impl HostPattern {
    pub fn parse(pattern: &str) -> Result<HostPattern, Error> {
        let p = pattern.trim().to_ascii_lowercase();
        let host = p.strip_prefix("*.").unwrap_or(&p);
        let check = Origin::parse(&cat(&["https://", host])).map_err(|e| {
            Error::new(
                Code::InvalidFormat,
                cat(&["host pattern ", &quoted(pattern), ": ", &e.message]),
            )
        })?;
        if p.starts_with("*.") && check.port().is_some() {
            return Err(Error::new(
                Code::InvalidFormat,
                cat(&[
                    "host pattern ",
                    &quoted(pattern),
                    ": a wildcard pattern cannot have a port",
                ]),
            ));
        }
        Ok(HostPattern(Cow::Owned(p)))
    }

    /// Does the store origin's `host[:port]` match? Checked on the parsed authority, never on a
    /// raw URL string (the `endsWith(".azconfig.io")` bug of Infisical, infisical.md §10.2).
    pub fn matches(&self, origin: &Origin) -> bool {
        match self.0.strip_prefix("*.") {
            Some(suffix) => {
                origin.port().is_none()
                    && origin
                        .host()
                        .strip_suffix(suffix)
                        .and_then(|store| store.strip_suffix('.'))
                        .is_some_and(|store| !store.is_empty())
            }
            None => origin.authority() == self.0,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Every endpoint azconn needs in one cloud.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CloudEndpoints {
    /// Entra ID authority host, e.g. `https://login.microsoftonline.com`.
    pub authority_host: Origin,
    /// Graph root; API calls go to `{graph_root}/v1.0/...`.
    pub graph_root: Origin,
    /// The resource Graph tokens are issued for (`{graph_audience}/.default`).
    pub graph_audience: Cow<'static, str>,
    /// Azure Resource Manager host.
    pub arm_host: Origin,
    /// Hosts that are App Configuration stores.
    pub app_configuration_hosts: Cow<'static, [HostPattern]>,
    /// The Entra audience of App Configuration data-plane tokens (scope = audience + `/.default`).
    pub app_configuration_audience: Cow<'static, str>,
}

/// The built-in clouds, from protocols.md §1.1 (entra-docs `authentication-national-cloud.md`,
/// graph-docs `deployments.md`, azure-docs `concept-enable-rbac.md`). Static tables: nothing is
/// built or allocated per call, and the hosts are checked against [`Origin::parse`] and
/// [`HostPattern::parse`] in the tests.
static GLOBAL: CloudEndpoints = CloudEndpoints {
    authority_host: Origin::https("login.microsoftonline.com"),
    graph_root: Origin::https("graph.microsoft.com"),
    graph_audience: Cow::Borrowed("https://graph.microsoft.com"),
    arm_host: Origin::https("management.azure.com"),
    app_configuration_hosts: Cow::Borrowed(&[
        HostPattern(Cow::Borrowed("*.azconfig.io")),
        HostPattern(Cow::Borrowed("*.appconfig.azure.com")),
    ]),
    app_configuration_audience: Cow::Borrowed("https://appconfig.azure.com"),
};

static US_GOVERNMENT: CloudEndpoints = CloudEndpoints {
    authority_host: Origin::https("login.microsoftonline.us"),
    graph_root: Origin::https("graph.microsoft.us"),
    graph_audience: Cow::Borrowed("https://graph.microsoft.us"),
    arm_host: Origin::https("management.usgovcloudapi.net"),
    app_configuration_hosts: Cow::Borrowed(&[
        HostPattern(Cow::Borrowed("*.azconfig.azure.us")),
        HostPattern(Cow::Borrowed("*.appconfig.azure.us")),
    ]),
    app_configuration_audience: Cow::Borrowed("https://appconfig.azure.us"),
};

static CHINA: CloudEndpoints = CloudEndpoints {
    authority_host: Origin::https("login.chinacloudapi.cn"),
    graph_root: Origin::https("microsoftgraph.chinacloudapi.cn"),
    graph_audience: Cow::Borrowed("https://microsoftgraph.chinacloudapi.cn"),
    arm_host: Origin::https("management.chinacloudapi.cn"),
    app_configuration_hosts: Cow::Borrowed(&[
        HostPattern(Cow::Borrowed("*.azconfig.azure.cn")),
        HostPattern(Cow::Borrowed("*.appconfig.azure.cn")),
    ]),
    app_configuration_audience: Cow::Borrowed("https://appconfig.azure.cn"),
};

impl Cloud {
    /// The endpoints of this cloud: a static table for the built-in ones.
    pub fn endpoints(&self) -> &CloudEndpoints {
        match self {
            Cloud::Global => &GLOBAL,
            Cloud::UsGovernment => &US_GOVERNMENT,
            Cloud::China => &CHINA,
            Cloud::Custom(endpoints) => endpoints,
        }
    }

    /// A custom cloud; every endpoint must be https unless its host is loopback.
    pub fn custom(endpoints: CloudEndpoints) -> Result<Cloud, Error> {
        for (field, o) in [
            ("authorityHost", &endpoints.authority_host),
            ("graphRoot", &endpoints.graph_root),
            ("armHost", &endpoints.arm_host),
        ] {
            o.require_secure().map_err(|e| e.at(field))?;
        }
        for (field, aud) in [
            ("graphAudience", &endpoints.graph_audience),
            (
                "appConfigurationAudience",
                &endpoints.app_configuration_audience,
            ),
        ] {
            Origin::parse(aud).map_err(|e| e.at(field))?;
        }
        if endpoints.app_configuration_hosts.is_empty() {
            return Err(Error::field(
                "appConfigurationHosts",
                Code::Required,
                "a custom cloud needs at least one App Configuration host pattern",
            ));
        }
        Ok(Cloud::Custom(Box::new(endpoints)))
    }

    /// The short name used in configuration (`global`, `us-government`, `china`, `custom`).
    pub fn name(&self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::UsGovernment => "us-government",
            Cloud::China => "china",
            Cloud::Custom(_) => "custom",
        }
    }

    /// Parses a named cloud (`global`, `us-government`, `china`; also `public`, `usgov`,
    /// `azurechina` as people write them).
    pub fn from_name(name: &str) -> Result<Cloud, Error> {
        match name.trim().to_ascii_lowercase().as_str() {
            "global" | "public" | "azurecloud" => Ok(Cloud::Global),
            "us-government" | "usgov" | "azureusgovernment" => Ok(Cloud::UsGovernment),
            "china" | "azurechina" | "azurechinacloud" => Ok(Cloud::China),
            other => Err(Error::field(
                "cloud",
                Code::InvalidFormat,
                cat(&[
                    "unknown cloud ",
                    &quoted(other),
                    ": expected global, us-government or china",
                ]),
            )),
        }
    }
}

impl CloudEndpoints {
    /// Is `origin` an App Configuration store of this cloud?
    pub fn is_app_configuration_store(&self, origin: &Origin) -> bool {
        self.app_configuration_hosts
            .iter()
            .any(|p| p.matches(origin))
    }

    /// `https://{host}/{tenant}/oauth2/v2.0/authorize` (entra-docs `v2-protocols.md`).
    pub fn authorize_endpoint(&self, tenant: &AuthorityTenant) -> String {
        cat(&[
            &self.authority_host.to_text(),
            "/",
            &tenant.to_text(),
            "/oauth2/v2.0/authorize",
        ])
    }

    /// `https://{host}/{tenant}/oauth2/v2.0/token`; also the `aud` of client assertions
    /// (entra-docs `certificate-credentials.md`).
    pub fn token_endpoint(&self, tenant: &AuthorityTenant) -> String {
        cat(&[
            &self.authority_host.to_text(),
            "/",
            &tenant.to_text(),
            "/oauth2/v2.0/token",
        ])
    }

    /// The Graph v1.0 API base, `{graph_root}/v1.0`.
    pub fn graph_v1(&self) -> String {
        format!("{}/v1.0", self.graph_root)
    }
}

/// An App Configuration store endpoint the user typed, accepted only if its parsed host is a
/// store of the connection's cloud: a bearer token for the store can then never be sent to
/// another host (infisical.md §10.2: `endsWith(".azconfig.io")` on the whole URL let
/// `https://evil.example/?x=.azconfig.io` through).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct StoreEndpoint(Origin);

impl StoreEndpoint {
    /// Parses `https://<store>.<suffix>` for `cloud`; errors name the field `endpoint`.
    pub fn parse(input: &str, cloud: &CloudEndpoints) -> Result<StoreEndpoint, Error> {
        const FIELD: &str = "endpoint";
        let origin = Origin::parse(input).map_err(|e| {
            e.at(FIELD).with_hint(
                "give the store's endpoint exactly as the portal shows it, e.g. https://my-store.azconfig.io",
            )
        })?;
        origin.require_secure().map_err(|e| e.at(FIELD))?;
        if !cloud.is_app_configuration_store(&origin) {
            let allowed: Vec<&str> = cloud
                .app_configuration_hosts
                .iter()
                .map(HostPattern::as_str)
                .collect();
            return Err(Error::field(
                FIELD,
                Code::HostNotAllowed,
                cat(&[
                    origin.host(),
                    " is not an App Configuration store of this cloud",
                ]),
            )
            .with_hint(cat(&[
                "the endpoint's host must match ",
                &join(&allowed, " or "),
            ])));
        }
        Ok(StoreEndpoint(origin))
    }

    pub fn origin(&self) -> &Origin {
        &self.0
    }
}

impl From<StoreEndpoint> for String {
    fn from(s: StoreEndpoint) -> String {
        s.0.to_text()
    }
}

impl core::fmt::Display for StoreEndpoint {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(url: &str) -> Origin {
        Origin::parse(url).unwrap()
    }

    #[test]
    fn built_in_endpoints_are_what_parsing_gives() {
        for cloud in [Cloud::Global, Cloud::UsGovernment, Cloud::China] {
            let e = cloud.endpoints();
            for o in [&e.authority_host, &e.graph_root, &e.arm_host] {
                assert_eq!(&Origin::parse(&o.to_string()).unwrap(), o);
            }
            for p in e.app_configuration_hosts.iter() {
                assert_eq!(&HostPattern::parse(p.as_str()).unwrap(), p);
            }
            for audience in [&e.graph_audience, &e.app_configuration_audience] {
                assert!(Origin::parse(audience).is_ok(), "{audience}");
            }
        }
    }

    #[test]
    fn table_matches_protocols_reference() {
        let g = Cloud::Global.endpoints();
        assert_eq!(
            g.authority_host.to_string(),
            "https://login.microsoftonline.com"
        );
        assert_eq!(g.app_configuration_audience, "https://appconfig.azure.com");
        let us = Cloud::UsGovernment.endpoints();
        assert_eq!(us.graph_root.to_string(), "https://graph.microsoft.us");
        assert_eq!(
            us.arm_host.to_string(),
            "https://management.usgovcloudapi.net"
        );
        let cn = Cloud::China.endpoints();
        assert_eq!(
            cn.authority_host.to_string(),
            "https://login.chinacloudapi.cn"
        );
        assert_eq!(
            cn.graph_root.to_string(),
            "https://microsoftgraph.chinacloudapi.cn"
        );
    }

    #[test]
    fn store_hosts_match_on_label_boundaries() {
        let g = Cloud::Global.endpoints();
        assert!(g.is_app_configuration_store(&store("https://demo.azconfig.io")));
        assert!(g.is_app_configuration_store(&store("https://demo.eastus.appconfig.azure.com")));
        for bad in [
            "https://azconfig.io",
            "https://myazconfig.io",
            "https://demo.azconfig.io.evil.example",
            "https://demo.azconfig.io:8443",
            "https://demo.azconfig.azure.us",
        ] {
            assert!(!g.is_app_configuration_store(&store(bad)), "{bad}");
        }
        let us = Cloud::UsGovernment.endpoints();
        assert!(us.is_app_configuration_store(&store("https://demo.azconfig.azure.us")));
        assert!(!us.is_app_configuration_store(&store("https://demo.azconfig.io")));
    }

    #[test]
    fn custom_cloud_requires_https_except_loopback() {
        let mut e = Cloud::Global.endpoints().clone();
        e.authority_host = store("http://127.0.0.1:4010");
        e.graph_root = store("http://127.0.0.1:4010");
        e.app_configuration_hosts = vec![HostPattern::parse("127.0.0.1:4011").unwrap()].into();
        let cloud = Cloud::custom(e.clone()).unwrap();
        let ep = cloud.endpoints();
        assert!(ep.is_app_configuration_store(&store("http://127.0.0.1:4011")));
        assert!(!ep.is_app_configuration_store(&store("http://127.0.0.1:4012")));
        e.graph_root = store("http://graph.internal.example");
        let err = Cloud::custom(e).unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (Code::InsecureUrl, Some("graphRoot"))
        );
    }

    #[test]
    fn store_endpoint_rejects_other_hosts() {
        let g = Cloud::Global.endpoints();
        let ok = StoreEndpoint::parse("https://Demo.azconfig.io/", g).unwrap();
        assert_eq!(ok.to_string(), "https://demo.azconfig.io");
        for (bad, code) in [
            ("https://evil.example/?.azconfig.io", Code::InvalidFormat),
            ("https://evil.example", Code::HostNotAllowed),
            ("http://demo.azconfig.io", Code::InsecureUrl),
            ("https://demo.azconfig.io@evil.example", Code::InvalidFormat),
            ("", Code::Required),
        ] {
            let e = StoreEndpoint::parse(bad, g).unwrap_err();
            assert_eq!(
                (e.code, e.field.as_deref()),
                (code, Some("endpoint")),
                "{bad}"
            );
        }
    }

    #[test]
    fn authority_endpoints() {
        let g = Cloud::China.endpoints();
        let t = AuthorityTenant::parse("contoso.partner.onmschina.cn").unwrap();
        assert_eq!(
            g.token_endpoint(&t),
            "https://login.chinacloudapi.cn/contoso.partner.onmschina.cn/oauth2/v2.0/token"
        );
        assert_eq!(
            Cloud::Global
                .endpoints()
                .authorize_endpoint(&AuthorityTenant::Organizations),
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize"
        );
        assert_eq!(
            Cloud::UsGovernment.endpoints().graph_v1(),
            "https://graph.microsoft.us/v1.0"
        );
    }

    #[test]
    fn host_patterns_are_validated() {
        assert!(HostPattern::parse("*.azconfig.io").is_ok());
        assert!(HostPattern::parse("*.x.example:443").is_ok());
        assert!(HostPattern::parse("*.x.example:8443").is_err());
        assert!(HostPattern::parse("*.").is_err());
        assert!(HostPattern::parse("a/b").is_err());
    }

    #[test]
    fn names_parse() {
        assert_eq!(
            Cloud::from_name("US-Government").unwrap(),
            Cloud::UsGovernment
        );
        assert_eq!(Cloud::from_name("public").unwrap().name(), "global");
        assert_eq!(
            Cloud::from_name("germany").unwrap_err().field.as_deref(),
            Some("cloud")
        );
    }

    #[test]
    fn serde_shape() {
        let json = serde_json::to_value(Cloud::UsGovernment).unwrap();
        assert_eq!(json, serde_json::json!({"kind":"us-government"}));
        let custom: Cloud = serde_json::from_value(serde_json::json!({
            "kind":"custom","authorityHost":"http://127.0.0.1:1","graphRoot":"http://127.0.0.1:1",
            "graphAudience":"https://graph.microsoft.com","armHost":"http://127.0.0.1:1",
            "appConfigurationHosts":["127.0.0.1:2"],"appConfigurationAudience":"https://appconfig.azure.com"
        }))
        .unwrap();
        assert_eq!(
            custom.endpoints().graph_root.to_string(),
            "http://127.0.0.1:1"
        );
        let named: Cloud = serde_json::from_value(serde_json::json!("china")).unwrap();
        assert_eq!(named, Cloud::China);
    }

    #[test]
    fn json_custom_cloud_is_validated() {
        let insecure = serde_json::json!({
            "kind":"custom","authorityHost":"http://login.evil.example","graphRoot":"http://127.0.0.1:1",
            "graphAudience":"https://graph.microsoft.com","armHost":"http://127.0.0.1:1",
            "appConfigurationHosts":["127.0.0.1:2"],"appConfigurationAudience":"https://appconfig.azure.com"
        });
        let err = serde_json::from_value::<Cloud>(insecure)
            .unwrap_err()
            .to_string();
        assert!(err.contains("https"), "{err}");
        assert!(serde_json::from_value::<Cloud>(serde_json::json!("germany")).is_err());
        assert!(serde_json::from_value::<Cloud>(serde_json::json!({"kind":"mars"})).is_err());
    }
}
