// RateLimiter: a token bucket per key (a remote address for the server, a credential for the
// API's submissions). `rate` tokens a second, at most `burst` saved. Buckets that have refilled
// completely carry no information and are pruned when the table grows, so a scan from many
// addresses cannot grow it unbounded.
//
// Thread-safety: Take may be called from any thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <mutex>
#include <string>
#include <unordered_map>

namespace canvass {

class RateLimiter {
 public:
  RateLimiter(double rate, double burst) : rate_(rate), burst_(std::max(1.0, burst)) {}

  // 0 when the request may proceed; otherwise whole seconds until a token is available.
  int64_t Take(const std::string& key, std::chrono::steady_clock::time_point now) {
    if (rate_ <= 0) return 0;
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
    Bucket& b = it->second;
    if (!inserted) Refill(b, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      if (buckets_.size() > prune_at_) Prune(now);
      return 0;
    }
    return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1 - b.tokens) / rate_)));
  }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  void Refill(Bucket& b, std::chrono::steady_clock::time_point now) const {
    double elapsed = std::chrono::duration<double>(now - b.last).count();
    if (elapsed > 0) b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.last = now;
  }
  void Prune(std::chrono::steady_clock::time_point now) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      Refill(it->second, now);
      it = it->second.tokens >= burst_ ? buckets_.erase(it) : std::next(it);
    }
    prune_at_ = std::max<size_t>(kMinPrune, 2 * buckets_.size());
  }
  static constexpr size_t kMinPrune = 4096;
  const double rate_;
  const double burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  size_t prune_at_ = kMinPrune;
};

}  // namespace canvass
