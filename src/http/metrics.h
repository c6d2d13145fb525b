// Metrics in the Prometheus text exposition format (version 0.0.4): counters and latency
// histograms with labels, rendered by Render() for `GET /metrics`.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace canvass {

class Metrics {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  // Declares a metric's help text (optional; rendered as # HELP).
  void Describe(const std::string& name, const std::string& help);
  void Increment(const std::string& name, const Labels& labels = {}, int64_t by = 1);
  // Records one observation in seconds-bucketed histogram `name` (buckets 1 ms .. 10 s).
  void ObserveMicros(const std::string& name, const Labels& labels, int64_t micros);
  // Sets a gauge.
  void Set(const std::string& name, const Labels& labels, int64_t value);
  // The whole registry as Prometheus text.
  std::string Render() const;
  // Current value of a counter or gauge (0 if never set), for tests.
  int64_t Value(const std::string& name, const Labels& labels = {}) const;

 private:
  struct Histogram {
    std::vector<int64_t> buckets;  // cumulative counts per upper bound
    int64_t count = 0;
    int64_t sum_micros = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, std::string> help_;
  std::map<std::string, std::map<Labels, int64_t>> counters_;
  std::map<std::string, std::map<Labels, int64_t>> gauges_;
  std::map<std::string, std::map<Labels, Histogram>> histograms_;
};

}  // namespace canvass
