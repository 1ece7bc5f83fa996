//! STS: who is calling (account id, caller ARN). Needs no IAM permission.

use anyhow::{Result, anyhow};

use super::{CallCounter, classify, progress::Progress};
use crate::snapshot::CallerIdentity;

pub const OPERATIONS: &[&str] = &["sts:GetCallerIdentity"];

pub async fn caller_identity(
    config: &aws_config::SdkConfig,
    counter: &CallCounter,
    progress: &Progress,
) -> Result<CallerIdentity> {
    let client = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(config)
            .interceptor(counter.clone())
            .build(),
    );
    let bar = progress.start("sts.caller_identity");
    let out = client.get_caller_identity().send().await.map_err(|e| {
        let (status, detail) = classify(&e);
        bar.done(&format!("{} — {detail}", status.as_str()));
        anyhow!("{detail}")
    })?;
    let identity = CallerIdentity {
        account: out.account().unwrap_or_default().to_string(),
        arn: out.arn().unwrap_or_default().to_string(),
        user_id: out.user_id().unwrap_or_default().to_string(),
    };
    if identity.account.len() != 12 {
        return Err(anyhow!("GetCallerIdentity returned no account id"));
    }
    bar.done(&format!("account {} as {}", identity.account, identity.arn));
    Ok(identity)
}
