#include "http/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace canvass {
namespace {

TEST(MetricsTest, RendersTheTextFormatExactly) {
  Metrics m;
  m.Describe("jobs_total", "Jobs done.\nSecond line \\ backslash");
  m.Increment("jobs_total", {{"kind", "a\"b\\c\nd"}}, 2);
  m.Increment("jobs_total", {{"kind", "plain"}});
  m.Set("queue_depth", {}, 7);
  m.ObserveMicros("latency_seconds", {{"route", "/x"}}, 2'500);       // on a bound: counted in it
  m.ObserveMicros("latency_seconds", {{"route", "/x"}}, 12'000'000);  // past the last bound
  m.ObserveMicros("latency_seconds", {{"route", "/x"}}, 1);
  EXPECT_EQ(m.Render(),
            "# HELP jobs_total Jobs done.\\nSecond line \\\\ backslash\n"
            "# TYPE jobs_total counter\n"
            "jobs_total{kind=\"a\\\"b\\\\c\\nd\"} 2\n"
            "jobs_total{kind=\"plain\"} 1\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.001\"} 1\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.0025\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.005\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.01\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.025\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.05\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.25\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.5\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"1\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"2.5\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"5\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"10\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3\n"
            "latency_seconds_sum{route=\"/x\"} 12.002501\n"
            "latency_seconds_count{route=\"/x\"} 3\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 7\n");
}

TEST(MetricsTest, HistogramWithoutLabelsAndWholeSeconds) {
  Metrics m;
  m.ObserveMicros("d", {}, 3'000'000);
  m.ObserveMicros("d", {}, -5);  // a clock going backwards counts as zero
  const std::string text = m.Render();
  EXPECT_NE(text.find("d_bucket{le=\"0.001\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_bucket{le=\"5\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_sum 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_count 2\n"), std::string::npos) << text;
}

TEST(MetricsTest, ValueReadsCountersAndGauges) {
  Metrics m;
  EXPECT_EQ(m.Value("missing"), 0);
  m.Increment("c", {{"a", "1"}}, 5);
  m.Increment("c", {{"a", "1"}});
  m.Set("g", {}, -3);
  m.Set("g", {}, 4);
  EXPECT_EQ(m.Value("c", {{"a", "1"}}), 6);
  EXPECT_EQ(m.Value("c", {{"a", "2"}}), 0);
  EXPECT_EQ(m.Value("g"), 4);
}

TEST(MetricsTest, CountsFromManyThreads) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 1000; ++i) {
        m.Increment("n");
        m.ObserveMicros("h", {}, i);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.Value("n"), 4000);
  EXPECT_NE(m.Render().find("h_count 4000\n"), std::string::npos);
}

}  // namespace
}  // namespace canvass
