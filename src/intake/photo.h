// Worksheet photos: what kind of image a body is, from its first bytes, never from what the
// client claims. JPEG (FF D8 FF), PNG (the eight-byte signature) and HEIC/HEIF (an ISO base media
// `ftyp` box with a HEIF brand) are accepted.
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace canvass {

// "image/jpeg", "image/png" or "image/heic"; InvalidArgument naming what the bytes look like.
Result<std::string> PhotoKind(std::string_view bytes);

// Evidence a campaign attaches to a recanvass or recount request: a photo as above, or a PDF
// document ("%PDF-"): "application/pdf".
Result<std::string> EvidenceKind(std::string_view bytes);

}  // namespace canvass
