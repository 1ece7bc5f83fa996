//! One integration-test binary, a module per topic (links once, runs fast).

mod support;

mod access;
mod ci;
mod cli;
mod credentials;
mod demo;
mod fingerprints;
mod live;
mod loader;
mod moto_corpus;
mod org_monitoring;
mod registry;
mod reports;
mod rule_fixtures;
mod stub;
