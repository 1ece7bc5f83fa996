use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = phi_audit::cli::Cli::parse();
    match phi_audit::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Output cut short by a closed pipe (`phi-audit scan | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
