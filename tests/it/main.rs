//! One integration-test binary, a module per topic (links once, runs fast).

mod support;

mod cli;
mod loader;
mod moto_corpus;
mod registry;
mod rule_fixtures;
