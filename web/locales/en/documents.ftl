## Identity-document uploads

error-document-empty = The file is empty. Please choose an image of your identity document.
error-document-too-large = The file is too large. Please send an image of at most { $max_mb } MB.
error-document-unsupported-type = This type of file cannot be accepted. Please send a JPEG or PNG image.
error-document-pdf = PDF files are not accepted. Please send a photo or scan of the document as a JPEG or PNG image.
error-document-polyglot = This file contains data other than the image and cannot be accepted. Please send a new photo or scan of the document.
error-document-truncated = The image file is incomplete or damaged. Please take the photo or scan again and send it.
error-document-too-many-pixels = The image resolution is too high. Please take the photo at a lower resolution or reduce the image before sending it.
error-document-too-much-data = The image contains too much data. Please reduce the image or save it again as a JPEG before sending it.
error-document-undecodable = The image could not be read. Please send another image.
error-document-not-found = The document could not be found.
error-document-unavailable = The document could not be processed. We apologise for the inconvenience; please try again later.
error-document-busy = We are very busy at the moment. We apologise for the inconvenience; please try again in a little while.
error-document-store-unavailable = We cannot accept identity documents at the moment. The image you sent has not been saved. We are sorry for the inconvenience; please send it again in about a minute.
