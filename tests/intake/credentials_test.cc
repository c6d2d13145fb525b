#include "intake/credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

namespace canvass {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

bool AllInAlphabet(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return kCodeAlphabet.find(c) != std::string_view::npos; });
}

// Joined with append: g++ 12 -O3 misreports `"literal" + std::string` (-Wrestrict, PR 105651).
std::string Cat(std::string_view a, std::string_view b) {
  std::string out(a);
  out.append(b);
  return out;
}

std::string Refusal(std::string_view typed) {
  auto code = ParseAccessCode(typed);
  EXPECT_FALSE(code.ok()) << "accepted: " << typed;
  if (code.ok()) return "";
  EXPECT_EQ(code.status().code(), Status::Code::kInvalidArgument);
  return code.status().message();
}

// ---- access codes

TEST(AccessCodeTest, AlphabetIsCrockfordBase32) {
  EXPECT_EQ(kCodeAlphabet.size(), 32u);
  EXPECT_EQ(std::set<char>(kCodeAlphabet.begin(), kCodeAlphabet.end()).size(), 32u);
  for (char c : std::string_view("ILOU")) {
    EXPECT_EQ(kCodeAlphabet.find(c), std::string_view::npos) << c;
  }
}

TEST(AccessCodeTest, NewCodeHasTheDocumentedShape) {
  AccessCode code = NewAccessCode([](const std::string&) { return false; });
  EXPECT_EQ(code.id.size(), 4u);
  EXPECT_EQ(code.secret.size(), 12u);
  EXPECT_TRUE(AllInAlphabet(code.id)) << code.id;
  EXPECT_TRUE(AllInAlphabet(code.secret)) << code.secret;
  const std::string printed = code.Printable();
  ASSERT_EQ(printed.size(), 19u);
  EXPECT_EQ(printed.substr(0, 4), code.id);
  EXPECT_EQ(printed[4], '-');
  EXPECT_EQ(printed[9], '-');
  EXPECT_EQ(printed[14], '-');
  EXPECT_EQ(printed.substr(5, 4) + printed.substr(10, 4) + printed.substr(15, 4), code.secret);
}

TEST(AccessCodeTest, PrintableGroupsInFours) {
  AccessCode code{"7QF2", "M3XR9TWDHPK4"};
  EXPECT_EQ(code.Printable(), "7QF2-M3XR-9TWD-HPK4");
}

TEST(AccessCodeTest, CodesUseTheWholeAlphabetAndDiffer) {
  std::set<char> seen;
  std::set<std::string> secrets;
  for (int i = 0; i < 500; ++i) {
    AccessCode code = NewAccessCode(nullptr);
    seen.insert(code.id.begin(), code.id.end());
    seen.insert(code.secret.begin(), code.secret.end());
    secrets.insert(code.secret);
  }
  EXPECT_EQ(seen.size(), 32u);  // 8000 draws: missing any of 32 is ~1e-110 likely
  EXPECT_EQ(secrets.size(), 500u);
}

TEST(AccessCodeTest, NewIdAvoidsTakenIds) {
  // Take every id but one beginning with '0'-'9' or 'A'-'Y': only "ZZZZ" and a few remain.
  std::set<std::string> issued;
  const auto taken = [&](const std::string& id) { return id[0] != 'Z' || issued.count(id) > 0; };
  for (int i = 0; i < 200; ++i) {
    AccessCode code = NewAccessCode(taken);
    EXPECT_EQ(code.id[0], 'Z');
    EXPECT_TRUE(issued.insert(code.id).second) << "reissued " << code.id;
  }
}

TEST(AccessCodeTest, ParseReadsPrintedAndTypedForms) {
  const AccessCode want{"7QF2", "M3XR9TWDHPK4"};
  for (std::string_view typed :
       {"7QF2-M3XR-9TWD-HPK4", "7qf2-m3xr-9twd-hpk4", "7QF2M3XR9TWDHPK4", " 7QF2 M3XR 9TWD HPK4\n",
        "7q-f2m3-xr9twdhp-k4", "7QF2\tM3XR\r\n9TWD--HPK4",
        "7QF2\xE2\x80\x93M3XR\xE2\x80\x94"
        "9TWD\xC2\xA0HPK4"}) {
    auto code = ParseAccessCode(typed);
    ASSERT_TRUE(code.ok()) << typed << ": " << code.status().ToString();
    EXPECT_EQ(code->id, want.id);
    EXPECT_EQ(code->secret, want.secret);
  }
}

TEST(AccessCodeTest, ParseReadsLookAlikes) {
  auto code = ParseAccessCode("oOiI-lL01-ABCD-EFGH");
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(code->id, "0011");
  EXPECT_EQ(code->secret, "1101ABCDEFGH");
}

TEST(AccessCodeTest, ParseRefusesTheWrongLength) {
  EXPECT_THAT(Refusal(""), HasSubstr("16 characters"));
  EXPECT_THAT(Refusal(""), HasSubstr("none were typed"));
  EXPECT_THAT(Refusal(" - - "), HasSubstr("none were typed"));
  EXPECT_THAT(Refusal("7"), HasSubstr("1 was typed"));
  EXPECT_THAT(Refusal("7QF2-M3XR-9TWD-HPK"), HasSubstr("15 were typed"));
  EXPECT_THAT(Refusal("7QF2-M3XR-9TWD-HPK4-7"), HasSubstr("17 were typed"));
  EXPECT_THAT(Refusal(std::string(1000, 'A')), HasSubstr("1000 were typed"));
}

TEST(AccessCodeTest, ParseNamesTheCharacterItRefuses) {
  const std::string u = Refusal("7QF2-M3XR-9TWD-HPKU");
  EXPECT_THAT(u, HasSubstr("'U' is not used"));
  EXPECT_THAT(Refusal("7QF2-M3XR-9TWD-HPKu"), HasSubstr("'u' is not used"));
  EXPECT_THAT(Refusal("7QF2.M3XR-9TWD-HPK4"), HasSubstr("'.' cannot be part"));
  EXPECT_THAT(Refusal("7QF2_M3XR-9TWD-HPK4"), HasSubstr("'_'"));
  EXPECT_THAT(Refusal("7QF2-M3XR-9TWD-HPK*"), HasSubstr("'*'"));
  // Non-ASCII and control bytes are named by value, so the message stays printable UTF-8.
  EXPECT_THAT(Refusal("7QF2-M3XR-9TWD-HPK\xC3\xA9"), HasSubstr("byte 0xC3"));
  EXPECT_THAT(Refusal(std::string("7QF2-M3XR-9TWD-HPK\0", 19)), HasSubstr("byte 0x00"));
  EXPECT_THAT(Refusal("7QF2-M3XR-9TWD-HPK\x7F"), HasSubstr("byte 0x7F"));
  EXPECT_THAT(Refusal("\xE2\x80"), HasSubstr("byte 0xE2"));  // a dash cut short
  // A bad character is named even when the length is wrong too.
  EXPECT_THAT(Refusal("U"), HasSubstr("'U'"));
}

TEST(AccessCodeTest, RefusalDoesNotEchoTheCode) {
  const std::string message = Refusal("7QF2-M3XR-9TWD-HPKU");
  EXPECT_EQ(message.find("M3XR"), std::string::npos) << message;
}

RC_GTEST_PROP(AccessCodeProperty, PrintedCodesRoundTripInAnySpelling, ()) {
  const auto alphabet_char = rc::gen::elementOf(std::string(kCodeAlphabet));
  AccessCode code;
  code.id = *rc::gen::container<std::string>(4, alphabet_char);
  code.secret = *rc::gen::container<std::string>(12, alphabet_char);
  const std::string printed = code.Printable();

  auto parsed = ParseAccessCode(printed);
  RC_ASSERT(parsed.ok());
  RC_ASSERT(parsed->id == code.id);
  RC_ASSERT(parsed->secret == code.secret);

  std::string lower = printed;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  std::string bare;
  std::copy_if(printed.begin(), printed.end(), std::back_inserter(bare),
               [](char c) { return c != '-'; });
  std::string lookalikes = printed;  // what a person reads off a smudged packet
  for (char& c : lookalikes) {
    if (c == '0' && *rc::gen::arbitrary<bool>()) c = *rc::gen::element('O', 'o');
    if (c == '1' && *rc::gen::arbitrary<bool>()) c = *rc::gen::element('I', 'i', 'L', 'l');
  }
  for (const std::string& variant : {lower, bare, lookalikes}) {
    auto again = ParseAccessCode(variant);
    RC_ASSERT(again.ok());
    RC_ASSERT(again->id == code.id);
    RC_ASSERT(again->secret == code.secret);
  }
}

// ---- Argon2id hashes

TEST(SecretHashTest, RoundTripsAndRefusesAWrongSecret) {
  auto hash = HashSecret("M3XR9TWDHPK4", KdfCost::Test());
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_TRUE(VerifySecret("M3XR9TWDHPK4", *hash));
  EXPECT_FALSE(VerifySecret("M3XR9TWDHPK5", *hash));
  EXPECT_FALSE(VerifySecret("", *hash));
  EXPECT_FALSE(VerifySecret("M3XR9TWDHPK", *hash));
}

TEST(SecretHashTest, ServerCostRoundTrips) {
  auto hash = HashSecret("M3XR9TWDHPK4", KdfCost::Server());
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_THAT(*hash, HasSubstr("m=1024,t=2,p=1"));
  EXPECT_TRUE(VerifySecret("M3XR9TWDHPK4", *hash));
  EXPECT_FALSE(VerifySecret("M3XR9TWDHPK3", *hash));
}

TEST(SecretHashTest, HashIsSaltedArgon2idWithoutTheSecret) {
  auto a = HashSecret("M3XR9TWDHPK4", KdfCost::Test());
  auto b = HashSecret("M3XR9TWDHPK4", KdfCost::Test());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_THAT(*a, StartsWith("$argon2id$v=19$m=8,t=1,p=1$"));
  EXPECT_NE(*a, *b);  // salted
  EXPECT_EQ(a->find("M3XR9TWDHPK4"), std::string::npos);
  EXPECT_EQ(a->find("M3XR"), std::string::npos);
}

TEST(SecretHashTest, CostBelowTheMinimumIsRaisedToIt) {
  auto hash = HashSecret("M3XR9TWDHPK4", KdfCost{0, 0});
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_THAT(*hash, StartsWith("$argon2id$v=19$m=8,t=1,p=1$"));
  EXPECT_TRUE(VerifySecret("M3XR9TWDHPK4", *hash));
}

TEST(SecretHashTest, MalformedHashesNeverVerify) {
  auto hash = HashSecret("M3XR9TWDHPK4", KdfCost::Test());
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(VerifySecret("M3XR9TWDHPK4", ""));
  EXPECT_FALSE(VerifySecret("M3XR9TWDHPK4", "M3XR9TWDHPK4"));
  EXPECT_FALSE(VerifySecret("M3XR9TWDHPK4", hash->substr(0, hash->size() - 3)));
  EXPECT_FALSE(VerifySecret("M3XR9TWDHPK4", *hash + std::string(1, '\0') + "x"));
  EXPECT_FALSE(VerifySecret("M3XR9TWDHPK4", *hash + std::string(200, 'A')));
  std::string flipped = *hash;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifySecret("M3XR9TWDHPK4", flipped));
}

TEST(SecretHashTest, DummyVerifyRuns) {
  VerifyDummy(KdfCost::Test());
  VerifyDummy(KdfCost{0, 0});
}

// ---- session tokens

constexpr int64_t kNow = 1'700'000'000;

TEST(SessionTokenTest, KeysAreRandomHex) {
  const std::string a = NewSessionKey(), b = NewSessionKey();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(std::all_of(a.begin(), a.end(),
                          [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }));
}

TEST(SessionTokenTest, IssuedTokenChecks) {
  const std::string key = NewSessionKey();
  const std::string token = IssueToken(key, "7QF2", kNow + 3600);
  EXPECT_THAT(token, StartsWith("v1.7QF2.1700003600."));
  EXPECT_EQ(token.size(), std::string("v1.7QF2.1700003600.").size() + 64);
  auto id = CheckToken(key, token, kNow);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, "7QF2");
  EXPECT_EQ(CheckToken(key, token, kNow + 3599), "7QF2");
}

TEST(SessionTokenTest, ExpiredTokenIsRefused) {
  const std::string key = NewSessionKey();
  const std::string token = IssueToken(key, "7QF2", kNow + 60);
  EXPECT_EQ(CheckToken(key, token, kNow + 60), std::nullopt);
  EXPECT_EQ(CheckToken(key, token, kNow + 61), std::nullopt);
  EXPECT_EQ(CheckToken(key, IssueToken(key, "7QF2", kNow - 1), kNow), std::nullopt);
}

TEST(SessionTokenTest, EveryChangedCharacterIsRefused) {
  const std::string key = NewSessionKey();
  const std::string token = IssueToken(key, "7QF2", kNow + 3600);
  for (size_t i = 0; i < token.size(); ++i) {
    for (char replacement : {'0', '9', 'a', 'f', 'A', 'F', '.', '-', '+'}) {
      if (replacement == token[i]) continue;
      std::string tampered = token;
      tampered[i] = replacement;
      EXPECT_EQ(CheckToken(key, tampered, kNow), std::nullopt)
          << "position " << i << ": " << tampered;
    }
    std::string flipped = token;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    EXPECT_EQ(CheckToken(key, flipped, kNow), std::nullopt) << "position " << i;
    std::string upper = token;  // another spelling of the same MAC bytes
    upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[i])));
    if (upper != token) {
      EXPECT_EQ(CheckToken(key, upper, kNow), std::nullopt) << "position " << i;
    }
  }
}

TEST(SessionTokenTest, ChangedShapeIsRefused) {
  const std::string key = NewSessionKey();
  const std::string token = IssueToken(key, "7QF2", kNow + 3600);
  const std::string mac = token.substr(token.rfind('.') + 1);
  EXPECT_EQ(CheckToken(key, "", kNow), std::nullopt);
  EXPECT_EQ(CheckToken(key, token.substr(0, token.size() - 1), kNow), std::nullopt);
  EXPECT_EQ(CheckToken(key, token + "0", kNow), std::nullopt);
  EXPECT_EQ(CheckToken(key, token + ".", kNow), std::nullopt);
  EXPECT_EQ(CheckToken(key, Cat("v1.7QF2.+1700003600.", mac), kNow), std::nullopt);
  EXPECT_EQ(CheckToken(key, Cat("v1.7QF2.01700003600.", mac), kNow), std::nullopt);
  EXPECT_EQ(CheckToken(key, Cat("v1.7QF2.99999999999999999999.", mac), kNow), std::nullopt);
  EXPECT_EQ(CheckToken(key, Cat("v1..1700003600.", mac), kNow), std::nullopt);
  EXPECT_EQ(CheckToken(key, Cat("v1.7QF2..1700003600.", mac), kNow), std::nullopt);
  EXPECT_EQ(CheckToken(key, Cat("v2.7QF2.1700003600.", mac), kNow), std::nullopt);
  EXPECT_EQ(CheckToken(key, "v1.7QF2.1700003600", kNow), std::nullopt);
  EXPECT_EQ(CheckToken(key, std::string_view("v1.7QF2\0.1700003600", 19), kNow), std::nullopt);
}

TEST(SessionTokenTest, WrongOrMalformedKeyIsRefused) {
  const std::string key = NewSessionKey();
  const std::string token = IssueToken(key, "7QF2", kNow + 3600);
  EXPECT_EQ(CheckToken(NewSessionKey(), token, kNow), std::nullopt);
  std::string near = key;
  near[0] = near[0] == '0' ? '1' : '0';
  EXPECT_EQ(CheckToken(near, token, kNow), std::nullopt);
  EXPECT_EQ(CheckToken("", token, kNow), std::nullopt);
  EXPECT_EQ(CheckToken(key.substr(0, 62), token, kNow), std::nullopt);
  EXPECT_EQ(CheckToken(std::string(64, 'x'), token, kNow), std::nullopt);
}

TEST(SessionTokenTest, TokensForDifferentCredentialsDiffer) {
  const std::string key = NewSessionKey();
  const std::string a = IssueToken(key, "7QF2", kNow + 3600);
  const std::string b = IssueToken(key, "7QF3", kNow + 3600);
  EXPECT_NE(a.substr(a.rfind('.')), b.substr(b.rfind('.')));
  // A's MAC on B's body does not pass.
  EXPECT_EQ(CheckToken(key, b.substr(0, b.rfind('.')) + a.substr(a.rfind('.')), kNow),
            std::nullopt);
}

// ---- lockout

LoginGuard::Options SmallGuard() {
  LoginGuard::Options o;
  o.max_failures = 3;
  o.max_failures_per_address = 5;
  o.window = std::chrono::seconds(600);
  o.lockout = std::chrono::seconds(900);
  return o;
}

TEST(LoginGuardTest, LocksACredentialAfterTheLimit) {
  LoginGuard guard(SmallGuard());
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.1", kNow), 0);
  guard.RecordFailure("7QF2", "10.0.0.1", kNow);
  guard.RecordFailure("7QF2", "10.0.0.2", kNow + 1);
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.3", kNow + 2), 0);
  guard.RecordFailure("7QF2", "10.0.0.3", kNow + 2);
  // Locked from every address; other credentials from the same addresses are not.
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.9", kNow + 2), 900);
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.1", kNow + 102), 800);
  EXPECT_EQ(guard.BlockedFor("M3XR", "10.0.0.1", kNow + 2), 0);
}

TEST(LoginGuardTest, LockoutEndsAndCountingStartsAfresh) {
  LoginGuard guard(SmallGuard());
  for (int i = 0; i < 3; ++i) guard.RecordFailure("7QF2", "10.0.0.1", kNow);
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.1", kNow + 899), 1);
  // Failures recorded during the lockout neither count nor extend it.
  guard.RecordFailure("7QF2", "10.0.0.1", kNow + 500);
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.1", kNow + 900), 0);
  guard.RecordFailure("7QF2", "10.0.0.1", kNow + 900);
  guard.RecordFailure("7QF2", "10.0.0.1", kNow + 901);
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.1", kNow + 901), 0);
  guard.RecordFailure("7QF2", "10.0.0.1", kNow + 902);
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.1", kNow + 902), 900);
}

TEST(LoginGuardTest, FailuresInAnEarlierWindowDoNotCount) {
  LoginGuard guard(SmallGuard());
  guard.RecordFailure("7QF2", "10.0.0.1", kNow);
  guard.RecordFailure("7QF2", "10.0.0.1", kNow + 599);
  guard.RecordFailure("7QF2", "10.0.0.1", kNow + 600);  // a new fixed window opens here
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.1", kNow + 600), 0);
  guard.RecordFailure("7QF2", "10.0.0.1", kNow + 700);
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.1", kNow + 700), 0);
  guard.RecordFailure("7QF2", "10.0.0.1", kNow + 1199);
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.1", kNow + 1199), 900);
}

TEST(LoginGuardTest, SuccessResetsTheCredentialOnly) {
  LoginGuard guard(SmallGuard());
  guard.RecordFailure("7QF2", "10.0.0.1", kNow);
  guard.RecordFailure("7QF2", "10.0.0.1", kNow + 1);
  guard.RecordSuccess("7QF2");
  guard.RecordFailure("7QF2", "10.0.0.1", kNow + 2);
  guard.RecordFailure("7QF2", "10.0.0.1", kNow + 3);
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.1", kNow + 3), 0);
  // The address has now failed four times; a fifth anywhere locks it.
  guard.RecordFailure("M3XR", "10.0.0.1", kNow + 4);
  EXPECT_EQ(guard.BlockedFor("9TWD", "10.0.0.1", kNow + 4), 900);
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.2", kNow + 4), 0);
}

TEST(LoginGuardTest, SuccessLiftsALockedCredential) {
  LoginGuard guard(SmallGuard());
  for (int i = 0; i < 3; ++i) guard.RecordFailure("7QF2", "10.0.0.1", kNow);
  ASSERT_GT(guard.BlockedFor("7QF2", "10.0.0.2", kNow), 0);
  guard.RecordSuccess("7QF2");  // e.g. an admin reissued the code
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.2", kNow), 0);
}

TEST(LoginGuardTest, LimitsGuessesFromOneAddressAcrossCredentials) {
  LoginGuard guard(SmallGuard());
  const char* ids[] = {"0001", "0002", "0003", "0004", "0005"};
  for (int i = 0; i < 4; ++i) guard.RecordFailure(ids[i], "192.0.2.7", kNow + i);
  EXPECT_EQ(guard.BlockedFor("0005", "192.0.2.7", kNow + 4), 0);
  guard.RecordFailure(ids[4], "192.0.2.7", kNow + 4);
  EXPECT_EQ(guard.BlockedFor("0006", "192.0.2.7", kNow + 4), 900);
  EXPECT_EQ(guard.BlockedFor("0006", "192.0.2.8", kNow + 4), 0);
  EXPECT_EQ(guard.BlockedFor("0006", "192.0.2.7", kNow + 904), 0);
}

TEST(LoginGuardTest, ReportsTheLongerOfTwoLockouts) {
  LoginGuard guard(SmallGuard());
  for (int i = 0; i < 5; ++i) guard.RecordFailure(Cat("A", std::to_string(i)), "192.0.2.7", kNow);
  for (int i = 0; i < 3; ++i) guard.RecordFailure("7QF2", "192.0.2.8", kNow + 100);
  EXPECT_EQ(guard.BlockedFor("7QF2", "192.0.2.7", kNow + 100), 900);
  EXPECT_EQ(guard.BlockedFor("7QF2", "192.0.2.7", kNow + 950), 50);
}

TEST(LoginGuardTest, ManyAddressesStayCorrect) {
  // Enough distinct addresses to make the guard drop stale tallies along the way.
  LoginGuard guard(SmallGuard());
  for (int i = 0; i < 5000; ++i) {
    guard.RecordFailure("7QF2", Cat("addr", std::to_string(i)), kNow + i * 10);
  }
  // The credential locked and unlocked along the way; the newest addresses are still counted.
  for (int i = 0; i < 4; ++i) guard.RecordFailure("M3XR", "addr4999", kNow + 49990);
  EXPECT_EQ(guard.BlockedFor("0000", "addr4999", kNow + 49990), 900);
  EXPECT_EQ(guard.BlockedFor("0000", "addr0", kNow + 49990), 0);
}

TEST(LoginGuardTest, DefaultsMatchTheHeader) {
  LoginGuard guard;
  for (int i = 0; i < 4; ++i) guard.RecordFailure("7QF2", "10.0.0.1", kNow);
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.1", kNow), 0);
  guard.RecordFailure("7QF2", "10.0.0.1", kNow);
  EXPECT_EQ(guard.BlockedFor("7QF2", "10.0.0.1", kNow), 15 * 60);
}

}  // namespace
}  // namespace canvass
