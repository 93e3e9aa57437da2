//! The customer's asset ledger: what they own and owe, in integer yen, with every change kept
//! so that net worth can be drawn over time. Names, institutions and notes are sealed with the
//! customer's data key. Every query is scoped to the customer who asks: an asset ID belonging
//! to someone else behaves exactly like one that does not exist.

mod amount;
mod book;
mod category;
pub mod csv_io;
mod draft;
mod error;
mod net_worth;
mod store;

pub use amount::{MAX_YEN, UnrealisedGain, Yen};
pub use book::{Asset, AssetBook, MAX_ASSETS_PER_CUSTOMER, ValuationEffect};
pub use category::Category;
pub use draft::{AssetDraft, AssetForm, ValuationDraft, ValuationForm};
pub use error::AssetError;
pub use net_worth::{
    CategoryTotals, Change, Changes, Comparison, Layer, NetWorth, Period, Point, Share, Shares,
    Stacked, net_worth, series, stacked,
};
pub use store::{HistoryEntry, Valuation};
