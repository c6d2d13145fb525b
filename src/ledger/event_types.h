// The names the ledger spells: every event type the state machine applies (ElectionState::Apply,
// and the conventions' family in state/convention.cc) and every actor role. The one place they
// are written; the state, the intake, the API, the command line and the rehearsal use these.
//
// They are the wire format (docs/ledger-format.md "Event types"): each is hashed into every event
// that carries it, so a changed byte makes every ledger written before unreadable. A new type or
// role is added here, never an existing one respelt.
//
// Thread-safety: constants.
#pragma once

#include <array>
#include <string_view>

namespace canvass {

namespace event_type {

// The election, its access codes and its night.
inline constexpr std::string_view kElectionCreated = "election-created";
inline constexpr std::string_view kCredentialIssued = "credential-issued";
inline constexpr std::string_view kCredentialRevoked = "credential-revoked";
inline constexpr std::string_view kFirstAlignmentReported = "first-alignment-reported";
inline constexpr std::string_view kFinalAlignmentReported = "final-alignment-reported";
inline constexpr std::string_view kTieOutcomeRecorded = "tie-outcome-recorded";
inline constexpr std::string_view kPhotoAttached = "photo-attached";
inline constexpr std::string_view kReportConfirmed = "report-confirmed";
inline constexpr std::string_view kReportCorrected = "report-corrected";
inline constexpr std::string_view kHotlineEntry = "hotline-entry";
inline constexpr std::string_view kCampaignAttestation = "campaign-attestation";
inline constexpr std::string_view kReleasePublished = "release-published";
inline constexpr std::string_view kPublicationPolicySet = "publication-policy-set";
inline constexpr std::string_view kPracticeReport = "practice-report";
inline constexpr std::string_view kSessionOpened = "session-opened";
inline constexpr std::string_view kEarlyVotesLoaded = "early-votes-loaded";

// Recanvass and recount requests, certification, the anomaly gate (docs/audit.md).
inline constexpr std::string_view kReviewRequested = "review-requested";
inline constexpr std::string_view kReviewDecided = "review-decided";
inline constexpr std::string_view kReviewCosts = "review-costs";
inline constexpr std::string_view kReviewScheduled = "review-scheduled";
inline constexpr std::string_view kRecanvassEntered = "recanvass-entered";
inline constexpr std::string_view kRecountEntered = "recount-entered";
inline constexpr std::string_view kResultsCertified = "results-certified";
inline constexpr std::string_view kAnomalyOverride = "anomaly-override";

// The risk-limiting audit. Every one of its types begins with kRlaPrefix.
inline constexpr std::string_view kRlaStarted = "rla-started";
inline constexpr std::string_view kRlaSeed = "rla-seed";
inline constexpr std::string_view kRlaTally = "rla-tally";
inline constexpr std::string_view kRlaPrefix = "rla-";

// The conventions of the second stage (docs/conventions.md "On the ledger").
inline constexpr std::string_view kConventionCreated = "convention-created";
inline constexpr std::string_view kProcedurePublished = "procedure-published";
inline constexpr std::string_view kProcedureWaived = "procedure-waived";
inline constexpr std::string_view kConventionStageOpened = "convention-stage-opened";
inline constexpr std::string_view kDelegateFiled = "delegate-filed";
inline constexpr std::string_view kFilerReviewed = "filer-reviewed";
inline constexpr std::string_view kSlateFiled = "slate-filed";
inline constexpr std::string_view kConventionBallot = "convention-ballot";
inline constexpr std::string_view kConventionTally = "convention-tally";
inline constexpr std::string_view kVotingClosed = "voting-closed";
inline constexpr std::string_view kConventionLots = "convention-lots";
inline constexpr std::string_view kVotersIssued = "voters-issued";

// Every type above (not the prefix), in that order: docs/ledger-format.md's table names these
// and no other (tests/state/events_runner_test.cc holds both to it).
inline constexpr std::array<std::string_view, 39> kAll = {kElectionCreated,
                                                          kCredentialIssued,
                                                          kCredentialRevoked,
                                                          kFirstAlignmentReported,
                                                          kFinalAlignmentReported,
                                                          kTieOutcomeRecorded,
                                                          kPhotoAttached,
                                                          kReportConfirmed,
                                                          kReportCorrected,
                                                          kHotlineEntry,
                                                          kCampaignAttestation,
                                                          kReleasePublished,
                                                          kPublicationPolicySet,
                                                          kPracticeReport,
                                                          kSessionOpened,
                                                          kEarlyVotesLoaded,
                                                          kReviewRequested,
                                                          kReviewDecided,
                                                          kReviewCosts,
                                                          kReviewScheduled,
                                                          kRecanvassEntered,
                                                          kRecountEntered,
                                                          kResultsCertified,
                                                          kAnomalyOverride,
                                                          kRlaStarted,
                                                          kRlaSeed,
                                                          kRlaTally,
                                                          kConventionCreated,
                                                          kProcedurePublished,
                                                          kProcedureWaived,
                                                          kConventionStageOpened,
                                                          kDelegateFiled,
                                                          kFilerReviewed,
                                                          kSlateFiled,
                                                          kConventionBallot,
                                                          kConventionTally,
                                                          kVotingClosed,
                                                          kConventionLots,
                                                          kVotersIssued};

}  // namespace event_type

// An actor's role, and the role a credential is issued for (Actor::role, CredentialRecord::role).
namespace role {

inline constexpr std::string_view kChair = "chair";        // a precinct's chair
inline constexpr std::string_view kOperator = "operator";  // a hotline operator
inline constexpr std::string_view kCampaign = "campaign";  // a candidate's campaign
inline constexpr std::string_view kAdmin = "admin";        // an administrator of the party
inline constexpr std::string_view kOfficer = "officer";    // a convention's officer
inline constexpr std::string_view kVoter = "voter";        // a convention's voter

}  // namespace role

}  // namespace canvass
