#include "io/media_feed.h"

#include <array>
#include <exception>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "io/values.h"

namespace canvass {
namespace {

using Json = nlohmann::json;

struct FeedCandidate {
  std::string_view key;
  std::string_view name;
};
// The feed's keys (surname + first initial) and the names the party's CSVs use, in the
// party's display order.
constexpr std::array<FeedCandidate, 14> kFeedCandidates = {{
    {"bennetm", "Bennet"},
    {"bidenj", "Biden"},
    {"bloombergm", "Bloomberg"},
    {"buttigiegp", "Buttigieg"},
    {"delaneyj", "Delaney"},
    {"gabbardt", "Gabbard"},
    {"klobuchara", "Klobuchar"},
    {"patrickd", "Patrick"},
    {"sandersb", "Sanders"},
    {"steyert", "Steyer"},
    {"warrene", "Warren"},
    {"yanga", "Yang"},
    {"other", "Other"},
    {"uncommitted", "Uncommitted"},
}};

enum class Measure : uint8_t { kNone, kFirst, kFinal, kSde };

// Walks the SAX events with an explicit stack: nlohmann's SAX parser does not recurse, and
// neither does this, so deep nesting cannot exhaust the stack.
class FeedHandler : public nlohmann::json_sax<Json> {
 public:
  FeedHandler(std::string_view text, const std::string& origin) : text_(text), origin_(origin) {
    election_.candidates.reserve(kFeedCandidates.size());
    for (const auto& c : kFeedCandidates) election_.candidates.emplace_back(c.name);
  }

  Status status() const { return status_; }
  bool saw_precincts() const { return saw_precincts_; }
  Election TakeElection() { return std::move(election_); }

  bool null() override { return Scalar(Value{Kind::kOther, {}, 0}); }
  bool boolean(bool) override { return Scalar(Value{Kind::kOther, {}, 0}); }
  bool number_integer(number_integer_t v) override {
    if (v < 0) return Scalar(Value{Kind::kNegative, std::to_string(v), 0});
    return Scalar(Value{Kind::kUnsigned, {}, static_cast<uint64_t>(v)});
  }
  bool number_unsigned(number_unsigned_t v) override {
    return Scalar(Value{Kind::kUnsigned, {}, v});
  }
  bool number_float(number_float_t, const string_t& s) override {
    return Scalar(Value{Kind::kFloat, s, 0});
  }
  bool string(string_t& s) override { return Scalar(Value{Kind::kString, s, 0}); }
  bool binary(binary_t&) override { return Scalar(Value{Kind::kOther, {}, 0}); }

  bool start_object(std::size_t) override { return Open(true); }
  bool start_array(std::size_t) override { return Open(false); }
  bool end_object() override { return Close(); }
  bool end_array() override { return Close(); }

  bool key(string_t& k) override {
    key_ = k;
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    int64_t line = 1;
    size_t line_start = 0;
    size_t end = position < text_.size() ? position : text_.size();
    for (size_t i = 0; i < end; ++i) {
      if (text_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    std::string what = ex.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
    if (size_t colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
    status_ = Status::ParseError(origin_ + ":" + std::to_string(line) + ":" +
                                 std::to_string(end - line_start + 1) + " (byte " +
                                 std::to_string(position) + "): malformed JSON: " + what);
    return false;
  }

 private:
  enum class Kind : uint8_t { kUnsigned, kNegative, kFloat, kString, kOther };
  struct Value {
    Kind kind;
    std::string text;
    uint64_t number;
  };
  // Where the parser is, one entry per open container.
  enum class Place : uint8_t { kRoot, kPrecincts, kPrecinct, kMeasure, kIgnored };

  struct Pending {
    std::optional<std::string> precinct;
    std::optional<std::string> county;
    std::vector<CandidateReport> figures;
    std::array<bool, 3 * kFeedCandidates.size()> seen{};
  };

  Place Here() const { return places_.empty() ? Place::kIgnored : places_.back(); }

  std::string Where() const {
    std::string w = origin_ + ": precincts[" + std::to_string(precinct_index_) + "]";
    if (pending_.county && pending_.precinct)
      w += " (" + *pending_.county + ", " + *pending_.precinct + ")";
    return w;
  }

  bool Fail(std::string message) {
    status_ = Status::ParseError(Where() + ": " + message);
    return false;
  }

  bool Open(bool is_object) {
    if (places_.empty()) {
      if (!is_object) {
        status_ = Status::ParseError(origin_ + ":1:1: expected a JSON object with \"precincts\"");
        return false;
      }
      places_.push_back(Place::kRoot);
      return true;
    }
    switch (Here()) {
      case Place::kRoot:
        if (key_ == "precincts") {
          if (is_object) {
            status_ = Status::ParseError(origin_ + ": \"precincts\" must be an array");
            return false;
          }
          saw_precincts_ = true;
          places_.push_back(Place::kPrecincts);
          return true;
        }
        break;
      case Place::kPrecincts:
        if (!is_object) return Fail("a precinct must be a JSON object");
        pending_ = Pending();
        pending_.figures.resize(kFeedCandidates.size());
        places_.push_back(Place::kPrecinct);
        return true;
      case Place::kPrecinct: {
        Measure m = key_ == "results_align1"       ? Measure::kFirst
                    : key_ == "results_alignfinal" ? Measure::kFinal
                    : key_ == "results"            ? Measure::kSde
                                                   : Measure::kNone;
        if (m != Measure::kNone) {
          if (!is_object) return Fail("\"" + key_ + "\" must be an object");
          measure_ = m;
          places_.push_back(Place::kMeasure);
          return true;
        }
        if (key_ == "precinct" || key_ == "locality_name") {
          return Fail("\"" + key_ + "\" must be a string or number");
        }
        break;
      }
      case Place::kMeasure:
        return Fail(MeasureKey() + "." + key_ + ": not a number");
      case Place::kIgnored:
        break;
    }
    places_.push_back(Place::kIgnored);
    return true;
  }

  bool Close() {
    if (places_.empty()) return true;
    Place closing = places_.back();
    places_.pop_back();
    if (closing == Place::kPrecinct) return FinishPrecinct();
    return true;
  }

  std::string MeasureKey() const {
    switch (measure_) {
      case Measure::kFirst:
        return "results_align1";
      case Measure::kFinal:
        return "results_alignfinal";
      default:
        return "results";
    }
  }

  bool Scalar(const Value& v) {
    switch (Here()) {
      case Place::kPrecinct:
        if (key_ == "precinct" || key_ == "locality_name") {
          std::string text;
          if (v.kind == Kind::kString || v.kind == Kind::kFloat || v.kind == Kind::kNegative) {
            text = v.text;
          } else if (v.kind == Kind::kUnsigned) {
            text = std::to_string(v.number);
          } else {
            return Fail("\"" + key_ + "\" must be a string or number");
          }
          std::string name = CanonicalName(text);
          if (name.empty()) return Fail("\"" + key_ + "\" is empty");
          auto& slot = key_ == "precinct" ? pending_.precinct : pending_.county;
          if (slot) return Fail("\"" + key_ + "\" appears twice");
          slot = std::move(name);
        }
        return true;
      case Place::kMeasure:
        return Figure(v);
      case Place::kRoot:
        if (key_ == "precincts") {
          status_ = Status::ParseError(origin_ + ": \"precincts\" must be an array");
          return false;
        }
        return true;
      case Place::kPrecincts:
        return Fail("a precinct must be a JSON object");
      case Place::kIgnored:
        return true;
    }
    return true;
  }

  bool Figure(const Value& v) {
    size_t c = 0;
    while (c < kFeedCandidates.size() && kFeedCandidates[c].key != key_) ++c;
    std::string where = MeasureKey() + "." + key_;
    if (c == kFeedCandidates.size()) return Fail(where + ": unknown candidate key");
    size_t slot = static_cast<size_t>(measure_) - 1;
    if (pending_.seen[slot * kFeedCandidates.size() + c]) return Fail(where + ": appears twice");
    pending_.seen[slot * kFeedCandidates.size() + c] = true;
    std::string text = v.kind == Kind::kUnsigned ? std::to_string(v.number) : v.text;
    if (v.kind == Kind::kString || v.kind == Kind::kOther) return Fail(where + ": not a number");
    CandidateReport& fig = pending_.figures[c];
    if (measure_ == Measure::kSde) {
      auto sde = ParseSde(text, DecimalSource::kFloatingPrintout);
      if (!sde.ok()) return Fail(where + ": " + sde.status().message());
      fig.sde = *sde;
    } else {
      if (v.kind != Kind::kUnsigned) return Fail(where + ": \"" + text + "\" is not a count");
      auto count = ParseCount(text, kMaxHeadCount);
      if (!count.ok()) return Fail(where + ": " + count.status().message());
      (measure_ == Measure::kFirst ? fig.first : fig.final) = *count;
    }
    return true;
  }

  bool FinishPrecinct() {
    if (!pending_.county) return Fail("no \"locality_name\"");
    if (!pending_.precinct) return Fail("no \"precinct\"");
    std::string key = *pending_.county + '\x1f' + *pending_.precinct;
    if (!units_.emplace(std::move(key), election_.reports.size()).second) {
      return Fail("the same county and precinct appear twice");
    }
    PrecinctReport report;
    report.county = std::move(*pending_.county);
    report.precinct = std::move(*pending_.precinct);
    report.satellite = report.county.ends_with("Satellite");
    report.figures = std::move(pending_.figures);
    report.source = SourceRef{origin_ + ": precincts[" + std::to_string(precinct_index_) + "]", 0};
    election_.reports.push_back(std::move(report));
    ++precinct_index_;
    return true;
  }

  std::string_view text_;
  const std::string& origin_;
  Status status_;
  Election election_;
  std::vector<Place> places_;
  std::string key_;
  Measure measure_ = Measure::kNone;
  Pending pending_;
  int64_t precinct_index_ = 0;
  bool saw_precincts_ = false;
  std::unordered_map<std::string, size_t> units_;
};

}  // namespace

Result<Election> ParseMediaFeed(std::string_view text, const std::string& origin) {
  FeedHandler handler(text, origin);
  bool ok = false;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &handler);
  } catch (const std::exception& e) {
    return Status::ParseError(origin + ": malformed JSON: " + e.what());
  }
  if (!ok) {
    if (!handler.status().ok()) return handler.status();
    return Status::ParseError(origin + ": malformed JSON");
  }
  if (!handler.saw_precincts()) {
    return Status::ParseError(origin + ": no \"precincts\" array: not a media feed");
  }
  return handler.TakeElection();
}

}  // namespace canvass
