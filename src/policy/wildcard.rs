//! IAM wildcard matching: `*` matches any run of characters (including none and
//! including `:` and `/`), `?` matches exactly one character. Actions compare
//! case-insensitively, ARNs case-sensitively (the caller says which).

/// Does `pattern` match `text`? Linear in the common case; the classic
/// single-backtrack algorithm keeps the worst case at O(len(pattern) * len(text)).
pub fn wildcard_match(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        match_units(pattern.as_bytes(), text.as_bytes(), |a, b| {
            if case_insensitive {
                a.eq_ignore_ascii_case(&b)
            } else {
                a == b
            }
        })
    } else {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        match_units(&p, &t, |a, b| {
            if case_insensitive {
                a == b || a.to_lowercase().eq(b.to_lowercase())
            } else {
                a == b
            }
        })
    }
}

/// Match an action pattern (`s3:Get*`) against a concrete action (`s3:GetObject`).
pub fn action_match(pattern: &str, action: &str) -> bool {
    wildcard_match(pattern, action, true)
}

/// Match a resource/ARN pattern against a concrete ARN (case-sensitive, as IAM does).
pub fn arn_match(pattern: &str, arn: &str) -> bool {
    wildcard_match(pattern, arn, false)
}

/// True when the pattern is nothing but `*` characters (matches every string).
pub fn is_match_all(pattern: &str) -> bool {
    !pattern.is_empty() && pattern.bytes().all(|b| b == b'*')
}

trait Unit: Copy {
    fn is_star(self) -> bool;
    fn is_question(self) -> bool;
}
impl Unit for u8 {
    fn is_star(self) -> bool {
        self == b'*'
    }
    fn is_question(self) -> bool {
        self == b'?'
    }
}
impl Unit for char {
    fn is_star(self) -> bool {
        self == '*'
    }
    fn is_question(self) -> bool {
        self == '?'
    }
}

fn match_units<U: Unit>(p: &[U], t: &[U], eq: impl Fn(U, U) -> bool) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    // Position of the last `*` in the pattern and the text index it was tried at.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi].is_star() {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && (p[pi].is_question() || eq(p[pi], t[ti])) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            // Let the last star swallow one more character and retry.
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi].is_star() {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The obviously-correct reference: recursive, exponential, only for tests.
    fn reference(p: &[char], t: &[char], ci: bool) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (None, Some(_)) => false,
            (Some('*'), _) => {
                reference(&p[1..], t, ci) || (!t.is_empty() && reference(p, &t[1..], ci))
            }
            (Some(_), None) => false,
            (Some('?'), Some(_)) => reference(&p[1..], &t[1..], ci),
            (Some(a), Some(b)) => {
                let same = if ci {
                    a.to_lowercase().eq(b.to_lowercase())
                } else {
                    a == b
                };
                same && reference(&p[1..], &t[1..], ci)
            }
        }
    }

    fn reference_str(p: &str, t: &str, ci: bool) -> bool {
        let p: Vec<char> = p.chars().collect();
        let t: Vec<char> = t.chars().collect();
        reference(&p, &t, ci)
    }

    #[test]
    fn iam_examples() {
        assert!(action_match("s3:Get*", "s3:GetObject"));
        assert!(
            action_match("S3:get*", "s3:GetObject"),
            "actions are case-insensitive"
        );
        assert!(action_match("*", "kms:Decrypt"));
        assert!(action_match(
            "kms:*Data*",
            "kms:GenerateDataKeyWithoutPlaintext"
        ));
        assert!(action_match("ssm:GetParamete?", "ssm:GetParameter"));
        assert!(!action_match("ssm:GetParamete?", "ssm:GetParameters"));
        assert!(!action_match("s3:Get*", "s3:PutObject"));
        assert!(arn_match(
            "arn:aws:s3:::phi-*/*",
            "arn:aws:s3:::phi-records/a/b.pdf"
        ));
        assert!(
            !arn_match("arn:aws:s3:::PHI-*", "arn:aws:s3:::phi-records"),
            "ARNs are case-sensitive"
        );
        assert!(
            arn_match("arn:aws:s3:::*", "arn:aws:s3:::bucket/key"),
            "* crosses /"
        );
        assert!(!arn_match("", "x"));
        assert!(arn_match("", ""));
        assert!(arn_match("**", ""));
        assert!(wildcard_match("é*", "ÉCOLE", true));
        assert!(!wildcard_match("é*", "ÉCOLE", false));
    }

    #[test]
    fn match_all() {
        assert!(is_match_all("*"));
        assert!(is_match_all("**"));
        assert!(!is_match_all("*?"));
        assert!(!is_match_all(""));
    }

    #[test]
    fn pathological_pattern_is_not_exponential() {
        let p = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
        let t = "a".repeat(5000);
        assert!(!arn_match(p, &t));
    }

    proptest! {
        #[test]
        fn agrees_with_reference_ascii(p in "[ab*?:/]{0,10}", t in "[abAB:/]{0,12}", ci in any::<bool>()) {
            prop_assert_eq!(wildcard_match(&p, &t, ci), reference_str(&p, &t, ci));
        }

        #[test]
        fn agrees_with_reference_unicode(p in "[aé*?Ω]{0,8}", t in "[aéÉΩω]{0,10}", ci in any::<bool>()) {
            prop_assert_eq!(wildcard_match(&p, &t, ci), reference_str(&p, &t, ci));
        }

        #[test]
        fn literal_pattern_matches_itself(t in "[a-zA-Z0-9:/_-]{0,30}") {
            prop_assert!(arn_match(&t, &t));
        }

        #[test]
        fn star_matches_everything(t in ".{0,40}") {
            prop_assert!(arn_match("*", &t));
        }
    }
}
