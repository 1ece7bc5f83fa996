//! `--format json`: the report as INTERFACE.md specifies, pretty-printed, keys in
//! a fixed order, trailing newline.

use super::{Emitter, RenderOptions, Report};

pub struct Json;

impl Emitter for Json {
    fn emit(
        &self,
        report: &Report,
        _opts: &RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        writeln!(out)
    }
}
