#include "io/early_cards.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

#include "core/sha256.h"
#include "core/text.h"
#include "io/csv.h"

namespace canvass {

namespace {

constexpr std::string_view kHeader[] = {"county",  "precinct", "card",    "choice1",
                                        "choice2", "choice3",  "choice4", "choice5"};
constexpr size_t kColumns = std::size(kHeader);
static_assert(kColumns == 3 + kEarlyCardChoiceColumns);

// What is wrong with `s` as text for the ledger and the canonical list ("" when nothing): a
// control character, or bytes that are not UTF-8.
std::string TextProblem(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x20 || b == 0x7f) return fmt::format("holds the control character 0x{:02x}", b);
    size_t len = 1;
    uint32_t min = 0;
    uint32_t cp = b;
    if (b >= 0x80) {
      if ((b & 0xe0) == 0xc0) {
        len = 2, min = 0x80, cp = b & 0x1f;
      } else if ((b & 0xf0) == 0xe0) {
        len = 3, min = 0x800, cp = b & 0x0f;
      } else if ((b & 0xf8) == 0xf0) {
        len = 4, min = 0x10000, cp = b & 0x07;
      } else {
        return "is not valid UTF-8";
      }
      if (i + len > s.size()) return "is not valid UTF-8";
      for (size_t k = 1; k < len; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xc0) != 0x80) return "is not valid UTF-8";
        cp = (cp << 6) | (c & 0x3f);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return "is not valid UTF-8";
      }
    }
    i += len;
  }
  return std::string();
}

Result<std::string> Cell(const CsvReader& r, size_t i, bool normalise) {
  std::string v = normalise ? NormaliseName(r[i]) : std::string(Trim(r[i]));
  if (std::string problem = TextProblem(v); !problem.empty()) {
    return r.FieldError(i, fmt::format("column \"{}\" {}", kHeader[i], problem));
  }
  return v;
}

}  // namespace

Result<std::vector<EarlyCardRow>> ParseEarlyCardsCsv(std::string_view text,
                                                     const std::string& origin) {
  CsvReader r(text, origin);
  std::string want;
  for (std::string_view h : kHeader) {
    if (!want.empty()) want.push_back(',');
    want.append(h);
  }
  bool has = false;
  CANVASS_RETURN_IF_ERROR(r.Next(&has));
  if (!has) return r.ErrorAt(1, 1, "empty file: expected the header " + want);
  if (r.size() != kColumns) {
    return r.ErrorAt(1, 1, fmt::format("the header has {} columns; expected {}", r.size(), want));
  }
  for (size_t i = 0; i < kColumns; ++i) {
    if (Trim(r[i]) != kHeader[i]) {
      return r.FieldError(i, fmt::format("column {} is \"{}\"; expected the header {}", i + 1,
                                         std::string(Trim(r[i])), want));
    }
  }
  std::vector<EarlyCardRow> rows;
  // (county, precinct, card id) -> its line: an id names one card of its precinct.
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> seen;
  for (;;) {
    CANVASS_RETURN_IF_ERROR(r.Next(&has));
    if (!has) break;
    EarlyCardRow row;
    row.line = r.line();
    std::string* fields[] = {&row.county, &row.precinct, &row.id};
    for (size_t i = 0; i < 3; ++i) {
      auto v = Cell(r, i, i < 2);
      if (!v.ok()) return v.status();
      if (v->empty()) return r.FieldError(i, fmt::format("column \"{}\": empty", kHeader[i]));
      *fields[i] = std::move(v).value();
    }
    size_t gap = 0;  // the first empty choice column, 0: none yet
    for (size_t i = 3; i < kColumns; ++i) {
      auto v = Cell(r, i, true);
      if (!v.ok()) return v.status();
      if (v->empty()) {
        if (gap == 0) gap = i;
        continue;
      }
      if (gap != 0) {
        return r.FieldError(i, fmt::format("{} is given but {} is empty: write the choices in "
                                           "rank order with no empty cell between them",
                                           kHeader[i], kHeader[gap]));
      }
      row.choices.push_back(std::move(v).value());
    }
    auto key = std::make_tuple(row.county, row.precinct, row.id);
    if (auto [it, fresh] = seen.emplace(std::move(key), row.line); !fresh) {
      return r.FieldError(2, fmt::format("card \"{}\" of {} / {} is given twice (first on line {})",
                                         row.id, row.county, row.precinct, it->second));
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) return r.ErrorAt(2, 1, "no cards: the file has a header only");
  return rows;
}

std::string WriteEarlyCardsCsv(const std::vector<EarlyCardRow>& rows) {
  std::string out;
  for (size_t i = 0; i < kColumns; ++i) {
    if (i > 0) out += ',';
    out += kHeader[i];
  }
  out += '\n';
  for (const EarlyCardRow& row : rows) {
    AppendCsvCell(out, row.county);
    out += ',';
    AppendCsvCell(out, row.precinct);
    out += ',';
    AppendCsvCell(out, row.id);
    for (size_t k = 0; k < kEarlyCardChoiceColumns; ++k) {
      out += ',';
      if (k < row.choices.size()) AppendCsvCell(out, row.choices[k]);
    }
    out += '\n';
  }
  return out;
}

std::string CanonicalEarlyCards(std::vector<EarlyCardText> cards) {
  std::sort(cards.begin(), cards.end(),
            [](const EarlyCardText& a, const EarlyCardText& b) { return a.id < b.id; });
  std::string out;
  for (const EarlyCardText& c : cards) {
    out += c.id;
    for (const std::string& choice : c.choices) {
      out.push_back('\t');
      out += choice;
    }
    out.push_back('\n');
  }
  return out;
}

std::string EarlyCardsHash(std::vector<EarlyCardText> cards) {
  return Sha256Hex(CanonicalEarlyCards(std::move(cards)));
}

}  // namespace canvass
