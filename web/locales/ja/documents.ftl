## 本人確認書類のアップロード

error-document-empty = ファイルが空です。本人確認書類の画像を選択してください。
error-document-too-large = ファイルのサイズが大きすぎます。{ $max_mb } MB以下の画像を送信してください。
error-document-unsupported-type = このファイル形式はお受けできません。JPEGまたはPNG形式の画像を送信してください。
error-document-pdf = PDFファイルはお受けできません。書類を撮影またはスキャンし、JPEGまたはPNG形式の画像で送信してください。
error-document-polyglot = このファイルには画像以外のデータが含まれているため、お受けできません。書類を撮影またはスキャンし直した画像を送信してください。
error-document-truncated = 画像ファイルが途中で切れているか、破損しています。もう一度撮影またはスキャンして送信してください。
error-document-too-many-pixels = 画像の解像度が高すぎます。解像度を下げて撮影するか、画像を縮小してから送信してください。
error-document-too-much-data = 画像のデータ量が大きすぎます。画像を縮小するか、JPEG形式で保存し直してから送信してください。
error-document-undecodable = 画像を読み取ることができませんでした。別の画像を送信してください。
error-document-not-found = 書類が見つかりません。
error-document-unavailable = 書類を処理できませんでした。恐れ入りますが、しばらくしてから再度お試しください。
error-document-busy = ただいま混み合っております。恐れ入りますが、しばらくしてから再度お試しください。
error-document-store-unavailable = ただいま本人確認書類をお預かりできません。お送りいただいた画像は保存されていません。ご不便をおかけして申し訳ございません。1分ほど時間をおいてから、もう一度お送りください。
