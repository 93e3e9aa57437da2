//! What every web page shares, whichever console renders it: charts drawn on the server as SVG,
//! money and date formatting in the reader's language, and the static files.

pub mod charts;
pub mod format;
pub mod qr;
pub mod static_files;
