#include "api/answer_json.h"

#include "api/precinct_json.h"
#include "ledger/event_types.h"

namespace canvass {

using nlohmann::json;

json AnswerJson(const ElectionState& state, const Answer& a) {
  json receipt = {{"seq", a.seq}, {"event", a.event}, {"hash", a.hash}};
  if (a.record == nullptr || state.precinct(a.precinct) == nullptr) {
    return {{"receipt", std::move(receipt)}};
  }
  if (a.event == event_type::kPracticeReport) {
    // The precinct's own record is unchanged by a practice report: its status is shown beside
    // the practice worksheet, as /preview does.
    json body = a.practice != nullptr
                    ? PrecinctRecordJson(state, a.precinct, *a.practice, false, a.record.get())
                    : json::object();
    body["receipt"] = std::move(receipt);
    body["practice"] = {{"reports", a.record->practice_reports},
                        {"last_seq", a.record->practice_seq}};
    return body;
  }
  json body = {
      {"receipt", std::move(receipt)},
      {"precinct", PrecinctRecordJson(state, a.precinct, *a.record, false, a.record.get())}};
  if (!a.hotline.empty()) body["hotline"] = a.hotline;
  return body;
}

}  // namespace canvass
