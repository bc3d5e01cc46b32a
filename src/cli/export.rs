//! `rewind export`: NDJSON that `import` reads back to identical events, or
//! CSV with flattened columns for spreadsheets and pandas.

use std::fs::File;

use anyhow::{Context, Result};

use super::args::{ExportArgs, ExportFormat, StoreOptions};
use super::output::Out;
use super::read::check_scope;
use crate::core::cloudevents;
use crate::core::ndjson::event_line;
use crate::core::time::rfc3339_ms;
use crate::core::Event;

const CSV_HEADER: &str = "position,stream,version,type,time,schema_version,id,data,metadata";

pub fn run(args: ExportArgs, opts: &StoreOptions) -> Result<()> {
    let source = opts.open(&args.store)?;
    let scope = args.scope.scope();
    check_scope(source.as_ref(), &scope)?;
    let mut out = match &args.out {
        Some(path) => Out::file(
            File::create(path).with_context(|| format!("{}: cannot create", path.display()))?,
        ),
        None => Out::stdout(),
    };
    if args.format == ExportFormat::Csv {
        out.text(CSV_HEADER)?;
    }
    let mut failure = None;
    let end = source.count(&scope)?;
    source.scan(&scope, 0, end, &mut |event| {
        let written = match args.format {
            ExportFormat::Ndjson => out.json(&event_line(event)),
            ExportFormat::Csv => out.text(&csv_row(event)),
            ExportFormat::Cloudevents => out.json(&cloudevents::event_line(event)),
        };
        match written {
            Ok(()) => true,
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    })?;
    if let Some(error) = failure {
        return Err(error).context("writing the export");
    }
    out.finish().context("writing the export")?;
    Ok(())
}

fn csv_row(event: &Event) -> String {
    [
        event.position.to_string(),
        csv_field(&event.stream),
        event.version.to_string(),
        csv_field(&event.event_type),
        rfc3339_ms(event.time_ms),
        event.schema_version.to_string(),
        event.id.clone(),
        csv_field(&event.data),
        csv_field(&event.metadata),
    ]
    .join(",")
}

/// RFC 4180 quoting: fields with commas, quotes or line breaks are quoted,
/// and quotes inside are doubled.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(csv_field("account-1"), "account-1");
        assert_eq!(
            csv_field(r#"{"a":1,"b":"x"}"#),
            r#""{""a"":1,""b"":""x""}""#
        );
    }
}
