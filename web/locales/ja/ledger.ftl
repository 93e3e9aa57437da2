## 取得価額と評価損益
field-acquisition-cost = 取得価額（円）
hint-acquisition-cost = 購入時にお支払いになった金額を円単位でご入力ください。入力すると評価損益を表示します。負債には入力できません。
field-unrealised-gain = 評価損益
error-cost-for-liability = 負債には取得価額を入力できません。取得価額の欄を空欄にしてください。

## CSV
csv-acquisition-cost = 取得価額
import-line-columns-range = 列の数が{ $n }個です。6個の列（取得価額を含める場合は7個）が必要です。
