## Acquisition cost and unrealised gain or loss
field-acquisition-cost = Acquisition cost (yen)
hint-acquisition-cost = The amount you paid for the holding, in whole yen. When entered, your unrealised gain or loss is shown. Not available for liabilities.
field-unrealised-gain = Unrealised gain or loss
error-cost-for-liability = Liabilities have no acquisition cost. Please leave the acquisition cost empty.

## CSV
csv-acquisition-cost = Acquisition cost
import-line-columns-range = it has { $n } columns; 6 are needed (7 with the acquisition cost).
