//! Builds the stylesheet and scripts from the design-system npm packages, so the binary
//! carries its own assets. Installs the packages when they are missing.

use std::error::Error;
use std::path::Path;
use std::process::Command;

fn run(command: &mut Command, what: &str) -> Result<(), Box<dyn Error>> {
    let status = command.status().map_err(|e| format!("could not run {what}: {e} (is Node.js with npm installed?)"))?;
    if status.success() { Ok(()) } else { Err(format!("{what} failed with {status}").into()) }
}

fn main() -> Result<(), Box<dyn Error>> {
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let out = std::env::var("OUT_DIR")?;
    for file in ["casework.scss", "package.json", "package-lock.json"] {
        println!("cargo:rerun-if-changed=assets/{file}");
    }
    let sass = assets.join("node_modules/sass/sass.js");
    if !sass.exists() || !assets.join("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js").exists() {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"]).current_dir(&assets), "npm ci")?;
    }
    let css = Path::new(&out).join("casework.css");
    run(
        Command::new("node")
            .arg(&sass)
            .args([
                "--no-source-map",
                "--style=compressed",
                "--load-path=node_modules",
                "--load-path=.",
                "--quiet-deps",
                "--silence-deprecation=import",
            ])
            .arg("casework.scss")
            .arg(&css)
            .current_dir(&assets),
        "sass",
    )?;
    std::fs::copy(
        assets.join("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js"),
        Path::new(&out).join("govuk-frontend.min.js"),
    )?;
    Ok(())
}
