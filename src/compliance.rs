//! The control catalogue (`rules/controls.toml`): HIPAA Security Rule, SOC 2 and
//! NIST CSF 2.0 items that rules name.

use std::sync::OnceLock;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub framework: String,
    pub title: String,
    pub requirement: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalogue {
    control: Vec<Control>,
}

const SOURCE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/controls.toml"));

pub fn parse_catalogue(src: &str) -> Result<Vec<Control>, String> {
    toml::from_str::<Catalogue>(src)
        .map(|c| c.control)
        .map_err(|e| e.to_string())
}

pub fn controls() -> &'static [Control] {
    static C: OnceLock<Vec<Control>> = OnceLock::new();
    // Tested: the shipped catalogue parses.
    C.get_or_init(|| parse_catalogue(SOURCE).unwrap_or_else(|e| panic!("rules/controls.toml: {e}")))
}

pub fn control(id: &str) -> Option<&'static Control> {
    controls().iter().find(|c| c.id == id)
}

pub const FRAMEWORKS: &[(&str, &str)] = &[
    ("hipaa", "HIPAA Security Rule (45 CFR 164.308, 164.312)"),
    ("soc2", "SOC 2 Trust Services Criteria"),
    ("csf", "NIST Cybersecurity Framework 2.0"),
];
