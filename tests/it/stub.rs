//! A small IAM Access Analyzer stub on 127.0.0.1 (moto has no Access Analyzer):
//! restJson1 over HTTP/1.1, one request per connection. Behaviour per region, read
//! from the SigV4 credential scope: `us-east-1` has an external-access analyzer with
//! three ACTIVE findings served over two pages plus an unused-access analyzer;
//! `us-west-2` has no analyzer; `eu-west-1` answers AccessDenied.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

pub struct AccessAnalyzerStub {
    pub url: String,
    stop: Arc<AtomicBool>,
    pub requests: Arc<AtomicUsize>,
}

impl Drop for AccessAnalyzerStub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

impl AccessAnalyzerStub {
    pub fn start() -> AccessAnalyzerStub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let (s, r) = (stop.clone(), requests.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        r.fetch_add(1, Ordering::SeqCst);
                        let _ = handle(conn);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        AccessAnalyzerStub {
            url,
            stop,
            requests,
        }
    }
}

fn handle(mut conn: TcpStream) -> std::io::Result<()> {
    conn.set_nonblocking(false)?;
    conn.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_string();
    let len: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    while buf.len() < header_end + len {
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[header_end..]).to_string();
    let request_line = head.lines().next().unwrap_or_default().to_string();
    let region = head
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split('/').nth(2))
        .unwrap_or("us-east-1")
        .to_string();
    let (status, extra, json) = respond(&request_line, &region, &body);
    let resp = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{json}",
        json.len()
    );
    conn.write_all(resp.as_bytes())?;
    conn.flush()
}

fn finding(id: &str, resource: &str, kind: &str, finding_type: &str) -> String {
    format!(
        r#"{{"id":"{id}","resource":"{resource}","resourceType":"{kind}","resourceOwnerAccount":"123456789012","status":"ACTIVE","findingType":"{finding_type}","createdAt":"2025-11-18T20:53:20Z","analyzedAt":"2025-11-18T20:53:20Z","updatedAt":"2025-11-18T20:53:20Z"}}"#
    )
}

fn respond(request_line: &str, region: &str, body: &str) -> (&'static str, String, String) {
    if region == "eu-west-1" {
        return (
            "403 Forbidden",
            "x-amzn-ErrorType: AccessDeniedException\r\n".into(),
            r#"{"message":"User is not authorized to perform: access-analyzer:ListAnalyzers"}"#
                .into(),
        );
    }
    if request_line.starts_with("GET /analyzer") {
        let analyzers = if region == "us-east-1" {
            format!(
                r#"[{{"arn":"arn:aws:access-analyzer:{region}:123456789012:analyzer/account-external","name":"account-external","type":"ACCOUNT","createdAt":"2023-11-14T22:13:20Z","status":"ACTIVE"}},{{"arn":"arn:aws:access-analyzer:{region}:123456789012:analyzer/account-unused","name":"account-unused","type":"ACCOUNT_UNUSED_ACCESS","createdAt":"2023-11-14T22:13:20Z","status":"ACTIVE"}}]"#
            )
        } else {
            "[]".into()
        };
        return (
            "200 OK",
            String::new(),
            format!(r#"{{"analyzers":{analyzers}}}"#),
        );
    }
    if request_line.starts_with("POST /findingv2") {
        let page2 = body.contains("\"nextToken\":\"page-2\"");
        let findings = if body.contains("account-unused") {
            format!(
                "[{}]",
                finding(
                    "f-unused-1",
                    "arn:aws:iam::123456789012:role/legacy-reporting",
                    "AWS::IAM::Role",
                    "UnusedIAMRole"
                )
            )
        } else if page2 {
            format!(
                "[{}]",
                finding(
                    "f-ext-3",
                    "arn:aws:kms:us-east-1:123456789012:key/phi",
                    "AWS::KMS::Key",
                    "ExternalAccess"
                )
            )
        } else {
            format!(
                "[{},{}]",
                finding(
                    "f-ext-1",
                    "arn:aws:s3:::phi-records-prod",
                    "AWS::S3::Bucket",
                    "ExternalAccess"
                ),
                finding(
                    "f-ext-2",
                    "arn:aws:iam::123456789012:role/claims-vendor-integration",
                    "AWS::IAM::Role",
                    "ExternalAccess"
                )
            )
        };
        let next = if !page2 && !body.contains("account-unused") {
            r#","nextToken":"page-2""#
        } else {
            ""
        };
        return (
            "200 OK",
            String::new(),
            format!(r#"{{"findings":{findings}{next}}}"#),
        );
    }
    (
        "404 Not Found",
        "x-amzn-ErrorType: UnknownOperationException\r\n".into(),
        r#"{"message":"unknown"}"#.into(),
    )
}
