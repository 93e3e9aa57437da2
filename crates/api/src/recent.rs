//! A short memory of each customer's most requested reads (`/me` and the asset list), so that
//! an application polling the API does not cost a database read and a decryption per request.
//!
//! Entries live for `edge.api_read_seconds` (1 s by default; 0 turns this off) on the instance
//! that read them. A change made through this instance's API is seen at once (the handler
//! forgets the customer's entry); a change made on the web pages or on another instance is seen
//! within that time. A customer whose access is revoked is refused by the token check, which
//! has its own, longer window (`edge.token_cache_seconds`).

use std::sync::Arc;
use std::time::Duration;

use assets::{Asset, AssetBook, AssetError};
use identity::{Identity, IdentityError, Profile};
use moka::sync::Cache;
use platform::ids::CustomerId;

/// At most this many customers' reads are remembered at once.
const ENTRIES: u64 = 10_000;

fn cache<V: Clone + Send + Sync + 'static>(remember: Duration) -> Cache<CustomerId, V> {
    Cache::builder()
        .max_capacity(ENTRIES)
        .time_to_live(remember)
        .build()
}

type Profiles = Cache<CustomerId, Arc<Profile>>;
type Lists = Cache<CustomerId, Arc<Vec<Asset>>>;

/// Recently read profiles and asset lists, by customer.
pub struct RecentReads {
    remember: Option<(Profiles, Lists)>,
}

impl RecentReads {
    /// Remembers reads for `remember`; zero reads the database every time.
    pub fn new(remember: Duration) -> Self {
        Self {
            remember: (!remember.is_zero()).then(|| (cache(remember), cache(remember))),
        }
    }

    /// The customer's profile, read within the memory's time.
    pub(crate) async fn profile(
        &self,
        identity: &Identity,
        customer: CustomerId,
    ) -> Result<Arc<Profile>, IdentityError> {
        if let Some((profiles, _)) = &self.remember
            && let Some(hit) = profiles.get(&customer)
        {
            return Ok(hit);
        }
        let profile = Arc::new(identity.profile(customer).await?);
        if let Some((profiles, _)) = &self.remember {
            profiles.insert(customer, Arc::clone(&profile));
        }
        Ok(profile)
    }

    /// The customer's assets, read within the memory's time.
    pub(crate) async fn assets(
        &self,
        book: &AssetBook,
        customer: CustomerId,
    ) -> Result<Arc<Vec<Asset>>, AssetError> {
        if let Some((_, lists)) = &self.remember
            && let Some(hit) = lists.get(&customer)
        {
            return Ok(hit);
        }
        let list = Arc::new(book.list(customer).await?);
        if let Some((_, lists)) = &self.remember {
            lists.insert(customer, Arc::clone(&list));
        }
        Ok(list)
    }

    /// Forgets the customer's asset list after a change made through the API.
    pub(crate) fn forget_assets(&self, customer: CustomerId) {
        if let Some((_, lists)) = &self.remember {
            lists.invalidate(&customer);
        }
    }
}
