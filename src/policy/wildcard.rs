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

/// Can one string match both patterns? (`arn:aws:s3:::*-prod/*` and `arn:aws:s3:::phi-*`
/// can: `phi-x-prod/k`.) Case-sensitive, like ARNs. O(len(a) * len(b)).
pub fn patterns_intersect(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        intersect_units(a.as_bytes(), b.as_bytes())
    } else {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        intersect_units(&a, &b)
    }
}

/// `ok[i][j]`: some string matches both `a[i..]` and `b[j..]`. A star may absorb the
/// other side's next unit (or nothing); two stars absorbing the same characters can
/// always give them up, so "either star advances" is complete.
fn intersect_units<U: Unit + PartialEq>(a: &[U], b: &[U]) -> bool {
    let (n, m) = (a.len(), b.len());
    let w = m + 1;
    let mut ok = vec![false; (n + 1) * w];
    ok[n * w + m] = true;
    for i in (0..=n).rev() {
        for j in (0..=m).rev() {
            if i == n && j == m {
                continue;
            }
            let star_a = i < n && a[i].is_star();
            let star_b = j < m && b[j].is_star();
            ok[i * w + j] = if star_a || star_b {
                (star_a && ok[(i + 1) * w + j])
                    || (star_b && ok[i * w + j + 1])
                    || (star_a && j < m && ok[i * w + j + 1])
                    || (star_b && i < n && ok[(i + 1) * w + j])
            } else if i < n && j < m {
                (a[i].is_question() || b[j].is_question() || a[i] == b[j])
                    && ok[(i + 1) * w + j + 1]
            } else {
                false
            };
        }
    }
    ok[0]
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

    /// Reference for `patterns_intersect`: try every string over the patterns' letters
    /// (plus one other) up to the combined length, which bounds a shortest witness.
    fn intersect_reference(a: &str, b: &str) -> bool {
        let max = a.chars().count() + b.chars().count();
        let mut frontier = vec![String::new()];
        for _ in 0..=max {
            if frontier
                .iter()
                .any(|s| reference_str(a, s, false) && reference_str(b, s, false))
            {
                return true;
            }
            frontier = frontier
                .iter()
                .flat_map(|s| ['a', 'b', 'c'].map(|c| format!("{s}{c}")))
                .collect();
        }
        false
    }

    #[test]
    fn intersection_examples() {
        assert!(patterns_intersect(
            "arn:aws:s3:::*-prod/*",
            "arn:aws:s3:::phi-*"
        ));
        assert!(patterns_intersect("*", "arn:aws:s3:::phi-*"));
        assert!(patterns_intersect(
            "arn:aws:dynamodb:us-east-1:123456789012:table/patients-prod",
            "arn:aws:dynamodb:*:*:table/patients*"
        ));
        assert!(!patterns_intersect(
            "arn:aws:s3:::clinic-dev-*/*",
            "arn:aws:s3:::phi-*"
        ));
        assert!(!patterns_intersect("arn:aws:s3:::a?", "arn:aws:s3:::abc"));
        assert!(patterns_intersect("", ""));
        assert!(patterns_intersect("**", ""));
        assert!(!patterns_intersect("a", ""));
        assert!(patterns_intersect("é*", "*é"));
    }

    proptest! {
        #[test]
        fn intersection_agrees_with_reference(a in "[ab*?]{0,4}", b in "[ab*?]{0,4}") {
            prop_assert_eq!(patterns_intersect(&a, &b), intersect_reference(&a, &b));
            prop_assert_eq!(patterns_intersect(&a, &b), patterns_intersect(&b, &a));
        }

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
