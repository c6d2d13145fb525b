// Hostile traffic beside a rehearsal, on loopback only, bounded in time and count: floods of
// unauthenticated and malformed requests, oversized bodies, slow-drip connections (slowloris),
// access-code guessing, and many public readers and event-stream subscribers. It counts what the
// server answered each kind, and above all whether any guessed code ever got a session.
//
// Attackers connect from their own loopback addresses (127.66.x.y, `address_count` of them), so
// the server's per-address limits apply to them as they would on the night, and not to the
// simulated chairs, which have addresses of their own.
//
// Thread-safety: Start, Stop and Report from one controlling thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace canvass::rehearse {

struct AttackOptions {
  std::string host = "127.0.0.1";
  std::vector<uint16_t> ports;  // the servers (round robin)
  int flood_workers = 4;        // unauthenticated writes, garbage bytes, bad JSON, unknown routes
  int guess_workers = 2;        // POST /api/v1/session with guessed codes
  int oversize_workers = 1;     // bodies over the limit, headers over the limit
  int slowloris = 200;          // connections that send a request one byte at a time
  int readers = 1000;           // public readers polling results and releases (with ETags)
  int subscribers = 1000;       // event-stream subscribers held open, reading every event
  int address_count = 64;       // attacker addresses 127.66.0.1, 127.66.0.2, ...
  // Public ids (the code sheet's `credential` column): the worst case, an attacker who knows a
  // real id and guesses its secret. Empty: random ids only.
  std::vector<std::string> known_ids;
  uint64_t seed = 1;
};

struct AttackKindCounts {
  int64_t sent = 0;                // requests (or connections, for slowloris and subscribers)
  std::map<int, int64_t> status;   // by HTTP status; 0: no answer (connection closed, timeout)
  int64_t transport_failures = 0;  // could not connect or send
};

struct AttackReport {
  std::map<std::string, AttackKindCounts> kinds;  // "flood", "malformed", "oversized",
                                                  // "slowloris", "guess", "reader", "subscriber"
  int64_t guesses = 0;                            // codes tried
  int64_t guesses_admitted = 0;                   // a guessed code that got a session: must stay 0
  int64_t guesses_locked_out = 0;                 // answered 429 locked-out / rate limited
  int64_t sse_events = 0;                         // events the subscribers received
  int64_t reader_not_modified = 0;                // 304s the readers got
  double seconds = 0;                             // how long it ran

  nlohmann::json ToJson() const;
};

class Attack {
 public:
  explicit Attack(AttackOptions options);
  ~Attack();  // stops
  Attack(const Attack&) = delete;
  Attack& operator=(const Attack&) = delete;

  void
  Start();  // returns at once; the attack runs on its own threads (a few, not one per connection)
  void Stop();                  // ends every worker and connection, joins; idempotent
  AttackReport Report() const;  // after Stop

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace canvass::rehearse
