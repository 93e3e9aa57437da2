//! Opening object stores: a local directory or an S3 bucket. The vault keeps documents in one;
//! backups write their copies to others with the same settings.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{ClientOptions, ObjectStore, RetryConfig};
use platform::config::S3Location;

use crate::DocumentError;

/// A local directory (created with mode 0700 if missing) as an object store.
pub fn local(dir: &Path, key: &'static str) -> Result<Arc<dyn ObjectStore>, DocumentError> {
    let config_error = |reason: String| DocumentError::Config { key, reason };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| config_error(format!("cannot create {}: {e}", dir.display())))?;
    let store = LocalFileSystem::new_with_prefix(dir).map_err(|e| config_error(e.to_string()))?;
    Ok(Arc::new(store))
}

/// An S3 bucket, under the location's key prefix if one is set. `key` names the setting in
/// error messages.
pub fn s3(location: &S3Location, key: &'static str) -> Result<Arc<dyn ObjectStore>, DocumentError> {
    let mut builder = match (&location.access_key_id, &location.secret_access_key) {
        (Some(id), Some(secret)) => AmazonS3Builder::new()
            .with_access_key_id(id)
            .with_secret_access_key(secret.expose()),
        // Credentials from the environment: an ECS task role, an instance profile, variables.
        _ => AmazonS3Builder::from_env(),
    };
    builder = builder
        .with_bucket_name(&location.bucket)
        .with_region(&location.region)
        .with_client_options(
            ClientOptions::new()
                .with_connect_timeout(Duration::from_secs(5))
                .with_timeout(Duration::from_secs(60)),
        )
        .with_retry(RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(30),
            ..RetryConfig::default()
        });
    if let Some(endpoint) = &location.endpoint {
        builder = builder
            .with_endpoint(endpoint.as_str().trim_end_matches('/'))
            .with_allow_http(endpoint.scheme() == "http");
    }
    let s3 = builder.build().map_err(|e| DocumentError::Config {
        key,
        reason: e.to_string(),
    })?;
    Ok(
        match location.prefix.as_deref().map(|p| p.trim_matches('/')) {
            Some(prefix) if !prefix.is_empty() => {
                Arc::new(PrefixStore::new(s3, ObjectPath::from(prefix)))
            }
            _ => Arc::new(s3),
        },
    )
}
