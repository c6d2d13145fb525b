#include "http/metrics.h"

#include <array>
#include <set>

namespace canvass {
namespace {

// Upper bounds of the latency histogram, in microseconds (1 ms .. 10 s).
constexpr std::array<int64_t, 13> kBucketMicros = {
    1'000,   2'500,   5'000,     10'000,    25'000,    50'000,     100'000,
    250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000,
};

// Seconds as an exact decimal built from integer micros: 2500 -> "0.0025", 1000000 -> "1".
// Prometheus parses any float literal; building it by hand keeps the text byte-stable.
std::string SecondsFromMicros(int64_t micros) {
  std::string out;
  if (micros < 0) {
    out.push_back('-');
    micros = -micros;
  }
  out += std::to_string(micros / 1'000'000);
  int64_t frac = micros % 1'000'000;
  if (frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, 6 - digits.size(), '0');
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    out += '.';
    out += digits;
  }
  return out;
}

// Label values escape backslash, double quote and newline (text format 0.0.4).
std::string EscapeLabelValue(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char ch : v) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

// HELP text escapes backslash and newline only.
std::string EscapeHelp(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char ch : v) {
    if (ch == '\\') {
      out += "\\\\";
    } else if (ch == '\n') {
      out += "\\n";
    } else {
      out += ch;
    }
  }
  return out;
}

// `{a="1",b="2"}`, with `extra` (the histogram's `le`) last; "" when there are no labels.
std::string RenderLabels(const Metrics::Labels& labels, const std::string& extra_name = "",
                         const std::string& extra_value = "") {
  if (labels.empty() && extra_name.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    out += EscapeLabelValue(value);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace

void Metrics::Describe(const std::string& name, const std::string& help) {
  std::lock_guard<std::mutex> lock(mu_);
  help_[name] = help;
}

void Metrics::Increment(const std::string& name, const Labels& labels, int64_t by) {
  std::lock_guard<std::mutex> lock(mu_);
  counters_[name][labels] += by;
}

void Metrics::ObserveMicros(const std::string& name, const Labels& labels, int64_t micros) {
  if (micros < 0) micros = 0;  // a clock step backwards is not a negative latency
  std::lock_guard<std::mutex> lock(mu_);
  Histogram& h = histograms_[name][labels];
  if (h.buckets.empty()) h.buckets.assign(kBucketMicros.size(), 0);
  for (size_t i = 0; i < kBucketMicros.size(); ++i) {
    if (micros <= kBucketMicros[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum_micros += micros;
}

void Metrics::Set(const std::string& name, const Labels& labels, int64_t value) {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_[name][labels] = value;
}

int64_t Metrics::Value(const std::string& name, const Labels& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto* family : {&counters_, &gauges_}) {
    auto it = family->find(name);
    if (it == family->end()) continue;
    auto series = it->second.find(labels);
    if (series != it->second.end()) return series->second;
  }
  return 0;
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  // Families in name order, whatever their type, so the text is stable.
  std::set<std::string> names;
  for (const auto& [name, _] : counters_) names.insert(name);
  for (const auto& [name, _] : gauges_) names.insert(name);
  for (const auto& [name, _] : histograms_) names.insert(name);

  std::string out;
  for (const std::string& name : names) {
    auto help = help_.find(name);
    if (help != help_.end()) out += "# HELP " + name + " " + EscapeHelp(help->second) + "\n";
    if (auto c = counters_.find(name); c != counters_.end()) {
      out += "# TYPE " + name + " counter\n";
      for (const auto& [labels, value] : c->second) {
        out += name + RenderLabels(labels) + " " + std::to_string(value) + "\n";
      }
    } else if (auto g = gauges_.find(name); g != gauges_.end()) {
      out += "# TYPE " + name + " gauge\n";
      for (const auto& [labels, value] : g->second) {
        out += name + RenderLabels(labels) + " " + std::to_string(value) + "\n";
      }
    } else if (auto h = histograms_.find(name); h != histograms_.end()) {
      out += "# TYPE " + name + " histogram\n";
      for (const auto& [labels, hist] : h->second) {
        for (size_t i = 0; i < kBucketMicros.size(); ++i) {
          out += name + "_bucket" +
                 RenderLabels(labels, "le", SecondsFromMicros(kBucketMicros[i])) + " " +
                 std::to_string(hist.buckets[i]) + "\n";
        }
        out += name + "_bucket" + RenderLabels(labels, "le", "+Inf") + " " +
               std::to_string(hist.count) + "\n";
        out +=
            name + "_sum" + RenderLabels(labels) + " " + SecondsFromMicros(hist.sum_micros) + "\n";
        out += name + "_count" + RenderLabels(labels) + " " + std::to_string(hist.count) + "\n";
      }
    }
  }
  return out;
}

}  // namespace canvass
