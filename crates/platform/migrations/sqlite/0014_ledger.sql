-- What the customer paid for a holding (取得価額), in yen; NULL when not given. Never set for
-- liabilities, which the application refuses.
ALTER TABLE assets ADD COLUMN acquisition_cost_yen INTEGER CHECK (acquisition_cost_yen >= 0);

-- The page of one holding reads its valuations without scanning the customer's whole history.
CREATE INDEX asset_history_asset ON asset_history (customer_id, asset_id, valuation_date);
