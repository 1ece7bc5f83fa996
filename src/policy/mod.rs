//! Policy documents: parse, normalise, wildcard match.

pub mod document;
pub mod eval;
pub mod wildcard;

pub use document::{
    ConditionEntry, DocKind, Effect, PatternSet, PolicyDocument, PolicyError, PrincipalKind,
    PrincipalSet, Principals, Statement,
};
pub use wildcard::{action_match, arn_match, is_match_all, patterns_intersect, wildcard_match};

/// Decode a policy document as IAM or the AWS CLI hands it over: a JSON object
/// (CLI, SDK snapshot) or a string that is URL-encoded JSON (raw API). A string
/// that already starts with `{` is taken as JSON. Percent-decoding never turns
/// `+` into a space: IAM encodes with RFC 3986 rules, and `+` is literal.
pub fn decode_document(v: &serde_json::Value) -> Result<serde_json::Value, String> {
    match v {
        serde_json::Value::String(s) => {
            let trimmed = s.trim_start();
            let text = if trimmed.starts_with('{') {
                std::borrow::Cow::Borrowed(s.as_str())
            } else {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8()
                    .map_err(|e| {
                        format!(
                            "URL-encoded policy document is not valid UTF-8 after decoding: {e}"
                        )
                    })?
            };
            serde_json::from_str(&text).map_err(|e| {
                format!("policy document string is not JSON (nor URL-encoded JSON): {e}")
            })
        }
        other => Ok(other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_url_encoded_and_keeps_plus() {
        let raw = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aa+b%2Fc%2Bd%22%7D%5D%7D";
        let v = decode_document(&json!(raw)).unwrap();
        assert_eq!(v["Statement"][0]["Resource"], "arn:aws:s3:::a+b/c+d");
    }

    #[test]
    fn accepts_json_string_and_object() {
        let v = decode_document(&json!("{\"Statement\":[]}")).unwrap();
        assert_eq!(v, json!({"Statement": []}));
        assert_eq!(decode_document(&json!({"a": 1})).unwrap(), json!({"a": 1}));
    }

    #[test]
    fn rejects_garbage() {
        assert!(
            decode_document(&json!("not%20json"))
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(
            decode_document(&json!("%FF%FE"))
                .unwrap_err()
                .contains("UTF-8")
        );
    }
}
